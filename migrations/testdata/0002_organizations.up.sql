CREATE TYPE org_plan AS ENUM ('free', 'pro');

CREATE FUNCTION fixture_current_org() RETURNS uuid
    LANGUAGE sql
    STABLE
    AS $$ SELECT NULLIF(current_setting('fixture.organization_id', true), '')::uuid $$;

CREATE FUNCTION fixture_touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (name <> ''),
    plan       org_plan NOT NULL DEFAULT 'free',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    body            text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);

CREATE INDEX notes_organization_id_idx ON notes (organization_id, id) WHERE deleted_at IS NULL;

CREATE TRIGGER notes_touch_updated_at BEFORE UPDATE ON notes
    FOR EACH ROW EXECUTE FUNCTION fixture_touch();

ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY notes_organization ON notes
    USING (organization_id = fixture_current_org())
    WITH CHECK (organization_id = fixture_current_org());

INSERT INTO applied_log (version) VALUES (2);
