-- +goose Up
-- Proofing: each account's personal data and documents, and the registry checks of them.

-- The profile is sealed as a whole (it holds both the verified and the pending version of every
-- checked item). snils_index is the blind index of the verified SNILS only, NULL until one is
-- verified: a SNILS is verified on at most one account, and SNILS sign-in looks it up.
CREATE TABLE profiles (
    account_id  TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    data_enc    BYTEA NOT NULL,
    snils_index TEXT,
    doc_index   TEXT,
    version     INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX profiles_verified_snils ON profiles (snils_index) WHERE snils_index IS NOT NULL;
CREATE INDEX profiles_verified_doc ON profiles (doc_index) WHERE doc_index IS NOT NULL;

-- One submission for verification: its checks run as jobs; pending counts those without a result.
CREATE TABLE proofing_submissions (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    pending     INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    deadline_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX proofing_submissions_account ON proofing_submissions (account_id, created_at);

-- One registry's check. attempt is the token of the one job allowed to write the row; results
-- are written only WHERE state = 'pending' AND attempt = <the job's token>.
CREATE TABLE proofing_checks (
    id            TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES proofing_submissions (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL,
    registry      TEXT NOT NULL,
    state         TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    request_enc   BYTEA NOT NULL,
    attempt       INTEGER NOT NULL,
    calls         INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    deadline_at   BIGINT NOT NULL,
    next_at       BIGINT NOT NULL,
    finished_at   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (submission_id, registry)
);

-- +goose Down
DROP TABLE proofing_checks;
DROP TABLE proofing_submissions;
DROP TABLE profiles;
