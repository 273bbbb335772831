ALTER TABLE security_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE security_events DISABLE ROW LEVEL SECURITY;
DROP POLICY security_events_scoped ON security_events;
ALTER TABLE refresh_tokens NO FORCE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens DISABLE ROW LEVEL SECURITY;
DROP POLICY refresh_tokens_scoped ON refresh_tokens;
