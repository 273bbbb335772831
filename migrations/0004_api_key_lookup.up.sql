-- Let an API key lookup read its organization in the same query: the
-- organization of the key whose prefix is being looked up becomes readable
-- (only readable; writes still need the organization's own scope).
DROP POLICY organizations_read ON organizations;
CREATE POLICY organizations_read ON organizations FOR SELECT
    USING (id = smm_current_organization_id()
        OR id IN (SELECT m.organization_id FROM memberships m WHERE m.user_id = smm_current_user_id())
        OR id IN (SELECT k.organization_id FROM api_keys k WHERE k.prefix = smm_setting('smm.api_key_prefix')));
