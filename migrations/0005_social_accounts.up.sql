-- Social accounts an organization connects. The organization grain keeps one
-- account actor and one sync actor per live row; the social-accounts issue
-- adds the OAuth tokens and their lifecycle to this table.
CREATE TABLE social_accounts (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    provider        text NOT NULL CHECK (provider IN ('instagram', 'tiktok', 'youtube')),
    external_id     text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    username        text NOT NULL DEFAULT '' CHECK (length(username) <= 200),
    status          text NOT NULL DEFAULT 'connected'
                    CHECK (status IN ('connected', 'expiring', 'needs_reauth', 'disconnected')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE UNIQUE INDEX social_accounts_external_key ON social_accounts (organization_id, provider, external_id)
    WHERE deleted_at IS NULL;
CREATE INDEX social_accounts_org ON social_accounts (organization_id, created_at, id);
CREATE TRIGGER social_accounts_touch BEFORE UPDATE ON social_accounts FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();

ALTER TABLE social_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE social_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY social_accounts_scoped ON social_accounts FOR ALL
    USING (organization_id = smm_current_organization_id())
    WITH CHECK (organization_id = smm_current_organization_id());
