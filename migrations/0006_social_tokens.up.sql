-- OAuth tokens of social accounts, sealed (AES-256-GCM, see package
-- encryption), and what the account actor tracks of their lifecycle; the
-- outbox of domain events; functions system jobs use to find their work
-- across organizations without reading any tenant's rows.
ALTER TABLE social_accounts
    ADD COLUMN display_name        text NOT NULL DEFAULT '' CHECK (length(display_name) <= 300),
    ADD COLUMN scopes              text[] NOT NULL DEFAULT '{}',
    -- Sealed with associated data binding organization, account and
    -- provider: a ciphertext copied to another row does not open.
    ADD COLUMN access_token        bytea,
    ADD COLUMN refresh_token       bytea,
    -- The id of the key that sealed both, so a rotation finds what is left.
    ADD COLUMN token_key_id        text,
    ADD COLUMN expires_at          timestamptz,
    ADD COLUMN refresh_expires_at  timestamptz,
    ADD COLUMN connected_by        uuid REFERENCES users (id),
    ADD COLUMN connected_at        timestamptz,
    ADD COLUMN last_refresh_at     timestamptz,
    ADD COLUMN refresh_failures    integer NOT NULL DEFAULT 0,
    ADD COLUMN last_health_check_at timestamptz,
    ADD COLUMN last_health_error   text NOT NULL DEFAULT '',
    ADD COLUMN status_reason       text NOT NULL DEFAULT '';
CREATE INDEX social_accounts_expiry ON social_accounts (expires_at)
    WHERE deleted_at IS NULL AND status IN ('connected', 'expiring');
CREATE INDEX social_accounts_key ON social_accounts (token_key_id) WHERE access_token IS NOT NULL;

-- Domain events, written in the transaction of the change they describe;
-- their delivery (webhooks, the queue) arrives with later issues.
CREATE TABLE outbox_events (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    type            text NOT NULL CHECK (type ~ '^[a-z_]+\.[a-z_]+$'),
    subject_id      uuid,
    payload         jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
CREATE INDEX outbox_events_pending ON outbox_events (created_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_events_org ON outbox_events (organization_id, created_at, id);
ALTER TABLE outbox_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox_events FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_events_scoped ON outbox_events FOR ALL
    USING (organization_id = smm_current_organization_id())
    WITH CHECK (organization_id = smm_current_organization_id());

-- The definer functions below run as the owner role, to which the FORCEd
-- row-level security applies too: let the owner (the role running the
-- migrations, owner of the functions) read the table. The application role
-- is not the owner, so what it sees does not change.
CREATE POLICY social_accounts_owner_read ON social_accounts FOR SELECT TO CURRENT_USER USING (true);

-- Accounts whose access token expires before horizon: the token sweep wakes
-- their organizations' grains. Only ids leave; the rows stay behind RLS.
CREATE FUNCTION smm_accounts_expiring(horizon timestamptz)
RETURNS TABLE (organization_id uuid, account_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT organization_id, id FROM social_accounts
    WHERE deleted_at IS NULL AND status IN ('connected', 'expiring')
      AND expires_at IS NOT NULL AND expires_at < horizon
    ORDER BY expires_at
$$;

-- Organizations holding secrets sealed under another key than primary:
-- `smm keys rotate` re-seals them organization by organization.
CREATE FUNCTION smm_orgs_with_sealed_tokens(primary_key text)
RETURNS TABLE (organization_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT DISTINCT organization_id FROM social_accounts
    WHERE access_token IS NOT NULL AND token_key_id IS DISTINCT FROM primary_key
$$;

-- Users with a sealed TOTP secret, for the same rotation.
CREATE FUNCTION smm_users_with_totp()
RETURNS TABLE (user_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT id FROM users WHERE totp_secret IS NOT NULL ORDER BY id
$$;
