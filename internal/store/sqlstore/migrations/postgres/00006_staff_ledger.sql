-- +goose Up
-- Service-center staff, the request ledger of the operator and partner APIs, and the client
-- assertions those APIs have already accepted.

-- A staff member works at one center, as operator or center_admin. center_id names a row of
-- the centers directory (checked by the service: the directory is managed separately).
CREATE TABLE staff (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    center_id  TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX staff_center ON staff (center_id);

-- One row per client-chosen request id: what was asked (type and a fingerprint of the input),
-- who asked (client, center, operator), and the answer to give again on a resend. The row is
-- written in the same transaction as the request's effect, so a request acts at most once.
-- No personal data: subject is an account id, result a JSON answer without personal data.
CREATE TABLE requests (
    client_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    type        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    center_id   TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    subject     TEXT NOT NULL,
    state       TEXT NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    status      INTEGER NOT NULL,
    result      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (client_id, request_id)
);
CREATE INDEX requests_subject ON requests (subject, created_at);

-- The jti of every client assertion accepted on the operator and partner APIs until it
-- expires, so that a captured assertion cannot be replayed.
CREATE TABLE client_assertions (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX client_assertions_expiry ON client_assertions (expires_at);

-- +goose Down
DROP TABLE client_assertions;
DROP TABLE requests;
DROP TABLE staff;
