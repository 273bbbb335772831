DROP TABLE social_accounts;
