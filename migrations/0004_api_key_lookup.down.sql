DROP POLICY organizations_read ON organizations;
CREATE POLICY organizations_read ON organizations FOR SELECT
    USING (id = smm_current_organization_id()
        OR id IN (SELECT m.organization_id FROM memberships m WHERE m.user_id = smm_current_user_id()));
