-- Foundation shared by every later migration.

-- smm_current_organization_id is the organization of the current transaction,
-- the key of every row-level-security policy. The application sets it
-- transaction-locally with set_config('smm.organization_id', <uuid>, true), so
-- it can never leak to the next transaction on a pooled connection. Unset or
-- empty means no organization: the policies then match no row.
CREATE FUNCTION public.smm_current_organization_id() RETURNS uuid
    LANGUAGE sql
    STABLE
    AS $$ SELECT NULLIF(current_setting('smm.organization_id', true), '')::uuid $$;

COMMENT ON FUNCTION public.smm_current_organization_id() IS
    'Organization of the current transaction (setting smm.organization_id), key of the row-level-security policies.';

-- smm_touch_updated_at keeps updated_at true whatever the writer forgets:
-- attach it as BEFORE UPDATE ... FOR EACH ROW on tables with an updated_at column.
CREATE FUNCTION public.smm_touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION public.smm_touch_updated_at() IS
    'BEFORE UPDATE row trigger setting updated_at to the transaction time.';
