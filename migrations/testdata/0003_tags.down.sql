DROP TABLE tags;
DELETE FROM applied_log WHERE version = 3;
