-- +goose Up
-- Second factors, remembered devices and used proof-of-work challenges. Times are Unix
-- microseconds (UTC); 0 means "not yet".

-- An authenticator app's secret, sealed; confirmed_at is 0 while the citizen has not typed a
-- first code. last_step is the last TOTP time step accepted: each code works once.
CREATE TABLE mfa_totp (
    account_id   TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret_enc   BYTEA NOT NULL,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL DEFAULT 0
);

-- Accounts that turned on SMS codes as a second factor.
CREATE TABLE mfa_sms (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

-- Recovery codes, as keyed hashes; used_at is 0 while unused.
CREATE TABLE mfa_recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, code_hash)
);

-- Passkeys: the WebAuthn credential (public key, counter, flags) as JSON.
CREATE TABLE mfa_passkeys (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX mfa_passkeys_account ON mfa_passkeys (account_id);

-- Remembered devices, by the hash of the token they keep.
CREATE TABLE mfa_devices (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX mfa_devices_account ON mfa_devices (account_id);
CREATE INDEX mfa_devices_expires ON mfa_devices (expires_at);

-- Solved proof-of-work challenges, kept until they expire so that each is used once.
CREATE TABLE pow_used (
    id         TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX pow_used_expires ON pow_used (expires_at);

-- +goose Down
DROP TABLE pow_used;
DROP TABLE mfa_devices;
DROP TABLE mfa_passkeys;
DROP TABLE mfa_recovery_codes;
DROP TABLE mfa_sms;
DROP TABLE mfa_totp;
