-- +goose Up
-- Times are Unix microseconds (UTC). *_enc columns hold AEAD-sealed personal data;
-- *_index columns hold keyed blind indexes used for lookups and uniqueness.

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    level       TEXT NOT NULL,
    state       TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    first_name  TEXT NOT NULL,
    middle_name TEXT NOT NULL DEFAULT '',
    locale      TEXT NOT NULL DEFAULT 'ru',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    value_enc   BLOB NOT NULL,
    value_index TEXT NOT NULL,
    verified    INTEGER NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_account_kind ON contacts (account_id, kind);
-- A confirmed phone or email belongs to one account.
CREATE UNIQUE INDEX contacts_verified_value ON contacts (kind, value_index) WHERE verified;

CREATE TABLE passwords (
    account_id  TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    hash        TEXT NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE flows (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    data       BLOB NOT NULL,
    version    INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX flows_expires ON flows (expires_at);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    amr          TEXT NOT NULL,
    auth_time    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip_enc       BLOB
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      BLOB NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
-- Due work: pending jobs, and running jobs whose lease (run_at) ran out.
CREATE INDEX jobs_due ON jobs (run_at) WHERE state <> 'failed';

CREATE TABLE rate_counters (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    window_end   BIGINT NOT NULL,
    count        INTEGER NOT NULL
);
CREATE INDEX rate_counters_end ON rate_counters (window_end);

CREATE TABLE audit_heads (
    account_id TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    seq        BIGINT NOT NULL,
    action     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    details    TEXT NOT NULL,
    ip_enc     BLOB,
    created_at BIGINT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    UNIQUE (account_id, seq)
);

CREATE TABLE dev_outbox (
    id         TEXT PRIMARY KEY,
    channel    TEXT NOT NULL,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX dev_outbox_to ON dev_outbox (to_addr, created_at);

-- +goose Down
DROP TABLE dev_outbox;
DROP TABLE audit_events;
DROP TABLE audit_heads;
DROP TABLE rate_counters;
DROP TABLE jobs;
DROP TABLE sessions;
DROP TABLE flows;
DROP TABLE passwords;
DROP TABLE contacts;
DROP TABLE accounts;
