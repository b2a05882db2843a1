-- +goose Up
-- OpenID Connect: clients, authorization requests, tokens, consents, signing keys; and how an
-- account reached the confirmed level (released to RPs as confirmation_method).

ALTER TABLE accounts ADD COLUMN confirmation_method TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN confirmed_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE clients (
    id         TEXT PRIMARY KEY,
    config     TEXT NOT NULL, -- JSON of rp.Client (no personal data; the secret only as keyed hash)
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE oidc_auth_requests (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    data       BLOB NOT NULL, -- sealed: holds the login hint and the RP's state
    code_hash  TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oidc_auth_requests_code ON oidc_auth_requests (code_hash);
CREATE INDEX oidc_auth_requests_expires ON oidc_auth_requests (expires_at);

CREATE TABLE oidc_tokens (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    refresh_id TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    audience   TEXT NOT NULL,
    amr        TEXT NOT NULL,
    acr        TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_tokens_expires ON oidc_tokens (expires_at);
CREATE INDEX oidc_tokens_account_client ON oidc_tokens (account_id, client_id);
CREATE INDEX oidc_tokens_session ON oidc_tokens (session_id);
CREATE INDEX oidc_tokens_refresh ON oidc_tokens (refresh_id);

CREATE TABLE oidc_refresh_tokens (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    family_id  TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    audience   TEXT NOT NULL,
    amr        TEXT NOT NULL,
    acr        TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0,
    revoked    INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_refresh_family ON oidc_refresh_tokens (family_id);
CREATE INDEX oidc_refresh_account_client ON oidc_refresh_tokens (account_id, client_id);
CREATE INDEX oidc_refresh_session ON oidc_refresh_tokens (session_id);
CREATE INDEX oidc_refresh_expires ON oidc_refresh_tokens (expires_at);

CREATE TABLE oidc_session_clients (
    session_id TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    sid        TEXT NOT NULL, -- the sid claim this client sees
    created_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, client_id)
);
CREATE INDEX oidc_session_clients_sid ON oidc_session_clients (sid);

CREATE TABLE consents (
    account_id   TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    granted_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

CREATE TABLE oidc_pushed (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    params     BLOB NOT NULL, -- sealed
    expires_at BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_enc BLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT NOT NULL DEFAULT 0,
    publish_til BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE signing_keys;
DROP TABLE oidc_pushed;
DROP TABLE consents;
DROP TABLE oidc_session_clients;
DROP TABLE oidc_refresh_tokens;
DROP TABLE oidc_tokens;
DROP TABLE oidc_auth_requests;
DROP TABLE clients;
ALTER TABLE accounts DROP COLUMN confirmed_at;
ALTER TABLE accounts DROP COLUMN confirmation_method;
