-- +goose Up
-- Registered letters with an identity confirmation code (mail_code). The postal address and
-- the recipient's name are sealed together (postal_enc, associated data "letter:<id>"); the
-- code itself is never stored, only its keyed hash, and only while it can be used. Times are
-- Unix microseconds, 0 meaning "not yet".
CREATE TABLE letters (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    postal_enc      BLOB NOT NULL,
    code_hash       TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL DEFAULT '',
    batch_id        TEXT NOT NULL DEFAULT '',
    ordered_at      BIGINT NOT NULL,
    batched_at      BIGINT NOT NULL DEFAULT 0,
    sent_at         BIGINT NOT NULL DEFAULT 0,
    expires_at      BIGINT NOT NULL DEFAULT 0,
    delivered_at    BIGINT NOT NULL DEFAULT 0,
    used_at         BIGINT NOT NULL DEFAULT 0,
    reminded_at     BIGINT NOT NULL DEFAULT 0,
    ended_at        BIGINT NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1
);
-- An account's letters, newest first (limits, the cabinet).
CREATE INDEX letters_account ON letters (account_id, ordered_at);
-- The next print batch: ordered letters, oldest first.
CREATE INDEX letters_to_print ON letters (ordered_at) WHERE state = 'ordered';

-- +goose Down
DROP INDEX letters_to_print;
DROP INDEX letters_account;
DROP TABLE letters;
