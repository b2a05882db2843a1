-- +goose Up
-- Account care: deletion with a retention period, secret questions, notification settings, and
-- a blind index of the verified INN so that recovery can find an account by it.

-- deleted_at: when the citizen deleted the account (0: not deleted); erased_at: when its
-- personal data were erased after the retention period (0: not yet). The row itself stays, as
-- the pseudonymous owner of the audit chain.
ALTER TABLE accounts ADD COLUMN deleted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN erased_at BIGINT NOT NULL DEFAULT 0;
-- Deleted accounts whose data are still there, by deletion time: the cleanup's safety net for
-- erasure jobs that gave up.
CREATE INDEX accounts_erasure_due ON accounts (deleted_at) WHERE state = 'deleted' AND erased_at = 0;

-- The question is sealed (its text may name personal facts); the answer is kept only as a
-- password hash (argon2id PHC) of its normalised form.
CREATE TABLE secret_questions (
    account_id   TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    question_enc BYTEA NOT NULL,
    answer_hash  TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Which events send an SMS or an email: JSON {"<kind>": {"sms": bool, "email": bool}}. No row
-- means the defaults.
CREATE TABLE notification_prefs (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    prefs      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

ALTER TABLE profiles ADD COLUMN inn_index TEXT;
CREATE INDEX profiles_verified_inn ON profiles (inn_index) WHERE inn_index IS NOT NULL;

-- The event log filters one account's events by time.
CREATE INDEX audit_events_account_time ON audit_events (account_id, created_at);

-- +goose Down
DROP INDEX audit_events_account_time;
DROP INDEX profiles_verified_inn;
ALTER TABLE profiles DROP COLUMN inn_index;
DROP TABLE notification_prefs;
DROP TABLE secret_questions;
DROP INDEX accounts_erasure_due;
ALTER TABLE accounts DROP COLUMN erased_at;
ALTER TABLE accounts DROP COLUMN deleted_at;
