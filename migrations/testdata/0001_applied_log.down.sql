DROP TABLE applied_log;
