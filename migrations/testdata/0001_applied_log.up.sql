-- Every fixture migration logs itself here, so tests can count how many
-- times each one really ran.
CREATE TABLE applied_log (
    version   integer NOT NULL,
    logged_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO applied_log (version) VALUES (1);
