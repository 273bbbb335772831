-- Refresh tokens and security events carry the organization they concern:
-- put them under row-level security too. A refresh token is readable by its
-- user, by its organization, or by whoever presents its hash (the rotation
-- looks it up before knowing the user); security events by their user or
-- organization.
CREATE POLICY refresh_tokens_scoped ON refresh_tokens FOR ALL
    USING (user_id = smm_current_user_id()
        OR organization_id = smm_current_organization_id()
        OR token_hash = smm_setting('smm.refresh_token_hash'))
    WITH CHECK (user_id = smm_current_user_id() OR organization_id = smm_current_organization_id());
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;

CREATE POLICY security_events_scoped ON security_events FOR ALL
    USING (user_id = smm_current_user_id() OR organization_id = smm_current_organization_id())
    WITH CHECK (user_id = smm_current_user_id() OR organization_id = smm_current_organization_id());
ALTER TABLE security_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE security_events FORCE ROW LEVEL SECURITY;
