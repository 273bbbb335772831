DROP POLICY notes_organization ON notes;
DROP TRIGGER notes_touch_updated_at ON notes;
DROP TABLE notes;
DROP TABLE organizations;
DROP FUNCTION fixture_touch();
DROP FUNCTION fixture_current_org();
DROP TYPE org_plan;
DELETE FROM applied_log WHERE version = 2;
