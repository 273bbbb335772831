-- Identity and tenancy: users, organizations, memberships, invitations, API
-- keys, refresh-token families, login attempts, security events and
-- idempotency records. Every organization-scoped table has row-level
-- security, forced even for the table owner, keyed by the transaction-local
-- settings smm.organization_id (the active organization) and, for the few
-- reads that cross organizations on behalf of one user or one secret,
-- smm.user_id, smm.api_key_prefix and smm.invitation_token_hash.

CREATE FUNCTION smm_current_user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('smm.user_id', true), '')::uuid $$;

CREATE FUNCTION smm_setting(name text) RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting(name, true), '') $$;

-- Users are global: one person, many organizations.
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    email             text NOT NULL,
    name              text NOT NULL,
    password_hash     text NOT NULL,
    is_platform_admin boolean NOT NULL DEFAULT false,
    totp_secret       bytea,
    totp_enabled_at   timestamptz,
    totp_last_step    bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email)) AND email <> '')
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();

CREATE TABLE user_recovery_codes (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  text NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE organizations (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    settings   jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE TRIGGER organizations_touch BEFORE UPDATE ON organizations FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    user_id         uuid NOT NULL REFERENCES users (id),
    role            text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships (user_id, organization_id);
CREATE TRIGGER memberships_touch BEFORE UPDATE ON memberships FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();

CREATE TABLE invitations (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    email           text NOT NULL CHECK (email = lower(btrim(email))),
    role            text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    token_hash      text NOT NULL,
    invited_by      uuid NOT NULL REFERENCES users (id),
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    accepted_by     uuid REFERENCES users (id),
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash);
CREATE INDEX invitations_org ON invitations (organization_id, created_at DESC, id DESC);

CREATE TABLE api_keys (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix          text NOT NULL,
    secret_hash     text NOT NULL,
    scopes          text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'publish', 'admin'] AND cardinality(scopes) > 0),
    created_by      uuid NOT NULL REFERENCES users (id),
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
CREATE INDEX api_keys_org ON api_keys (organization_id, created_at DESC, id DESC);

-- Refresh tokens belong to a user (and carry the organization they were
-- issued for); a family is one login's chain of rotations.
CREATE TABLE refresh_tokens (
    id              uuid PRIMARY KEY,
    family_id       uuid NOT NULL,
    user_id         uuid NOT NULL REFERENCES users (id),
    organization_id uuid NOT NULL,
    token_hash      text NOT NULL,
    access_jti      text,
    issued_at       timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    rotated_at      timestamptz,
    revoked_at      timestamptz,
    revoked_reason  text
);
CREATE UNIQUE INDEX refresh_tokens_token_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;

CREATE TABLE login_attempts (
    id         uuid PRIMARY KEY,
    user_id    uuid REFERENCES users (id),
    email      text NOT NULL,
    ip         inet,
    user_agent text NOT NULL DEFAULT '',
    outcome    text NOT NULL CHECK (outcome IN ('success', 'failure')),
    reason     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_user ON login_attempts (user_id, created_at DESC, id DESC);

CREATE TABLE security_events (
    id              uuid PRIMARY KEY,
    user_id         uuid REFERENCES users (id),
    organization_id uuid,
    action          text NOT NULL,
    ip              inet,
    user_agent      text NOT NULL DEFAULT '',
    details         jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX security_events_user ON security_events (user_id, created_at DESC);

-- Idempotency records: scope is "org:<id>" after login, "ip:<addr>" before.
CREATE TABLE idempotency_keys (
    scope           text NOT NULL,
    key             text NOT NULL,
    organization_id uuid,
    method          text NOT NULL,
    path            text NOT NULL,
    request_hash    text NOT NULL,
    status          integer,
    response_type   text,
    response_body   bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- Row-level security. Reads may cross organizations only where the policy
-- names the setting that allows it; writes never do.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY organizations_read ON organizations FOR SELECT
    USING (id = smm_current_organization_id()
        OR id IN (SELECT m.organization_id FROM memberships m WHERE m.user_id = smm_current_user_id()));
CREATE POLICY organizations_insert ON organizations FOR INSERT WITH CHECK (id = smm_current_organization_id());
CREATE POLICY organizations_update ON organizations FOR UPDATE
    USING (id = smm_current_organization_id()) WITH CHECK (id = smm_current_organization_id());
CREATE POLICY organizations_delete ON organizations FOR DELETE USING (id = smm_current_organization_id());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_read ON memberships FOR SELECT
    USING (organization_id = smm_current_organization_id() OR user_id = smm_current_user_id());
CREATE POLICY memberships_insert ON memberships FOR INSERT WITH CHECK (organization_id = smm_current_organization_id());
CREATE POLICY memberships_update ON memberships FOR UPDATE
    USING (organization_id = smm_current_organization_id()) WITH CHECK (organization_id = smm_current_organization_id());
CREATE POLICY memberships_delete ON memberships FOR DELETE USING (organization_id = smm_current_organization_id());

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_read ON invitations FOR SELECT
    USING (organization_id = smm_current_organization_id() OR token_hash = smm_setting('smm.invitation_token_hash'));
CREATE POLICY invitations_write ON invitations FOR ALL
    USING (organization_id = smm_current_organization_id()) WITH CHECK (organization_id = smm_current_organization_id());

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_read ON api_keys FOR SELECT
    USING (organization_id = smm_current_organization_id() OR prefix = smm_setting('smm.api_key_prefix'));
CREATE POLICY api_keys_write ON api_keys FOR ALL
    USING (organization_id = smm_current_organization_id()) WITH CHECK (organization_id = smm_current_organization_id());

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_scoped ON idempotency_keys FOR ALL
    USING (organization_id IS NOT DISTINCT FROM smm_current_organization_id())
    WITH CHECK (organization_id IS NOT DISTINCT FROM smm_current_organization_id());
