DROP FUNCTION smm_orgs_with_due_publications(timestamptz, boolean);
DROP TABLE publication_attempts;
DROP TABLE publication_transitions;
DROP TABLE publications;
ALTER TABLE social_accounts DROP COLUMN posting_options;
ALTER TABLE social_accounts DROP CONSTRAINT social_accounts_org_id;
DROP TABLE contents;
DROP TABLE campaigns;
