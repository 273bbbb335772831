DROP FUNCTION smm_users_with_totp();
DROP FUNCTION smm_orgs_with_sealed_tokens(text);
DROP FUNCTION smm_accounts_expiring(timestamptz);
DROP TABLE outbox_events;
DROP POLICY social_accounts_owner_read ON social_accounts;
DROP INDEX social_accounts_key;
DROP INDEX social_accounts_expiry;
ALTER TABLE social_accounts
    DROP COLUMN display_name, DROP COLUMN scopes, DROP COLUMN access_token, DROP COLUMN refresh_token,
    DROP COLUMN token_key_id, DROP COLUMN expires_at, DROP COLUMN refresh_expires_at,
    DROP COLUMN connected_by, DROP COLUMN connected_at, DROP COLUMN last_refresh_at,
    DROP COLUMN refresh_failures, DROP COLUMN last_health_check_at, DROP COLUMN last_health_error,
    DROP COLUMN status_reason;
