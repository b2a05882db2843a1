-- +goose Up
-- Service-center operators: who confirmed an account, and one-time activation links.

-- Who confirmed an account's identity: the method and the center and operator (in person) or
-- the bank (bank). For an account enrolled by an operator or a bank, snils_index and doc_index
-- are blind indexes of the SNILS and passport typed at enrollment, so that the account is
-- found by them while the registry checks still run (profiles index only verified values).
CREATE TABLE confirmations (
    account_id   TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    method       TEXT NOT NULL,
    center_id    TEXT NOT NULL DEFAULT '',
    operator_id  TEXT NOT NULL DEFAULT '',
    bank_id      TEXT NOT NULL DEFAULT '',
    bank_name    TEXT NOT NULL DEFAULT '',
    request_id   TEXT NOT NULL DEFAULT '',
    snils_index  TEXT,
    doc_index    TEXT,
    confirmed_at BIGINT NOT NULL
);
CREATE INDEX confirmations_snils ON confirmations (snils_index) WHERE snils_index IS NOT NULL;
CREATE INDEX confirmations_doc ON confirmations (doc_index) WHERE doc_index IS NOT NULL;

-- One-time links to set the first password of an enrolled account: only a keyed hash of the
-- token is stored.
CREATE TABLE activations (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX activations_account ON activations (account_id);
CREATE INDEX activations_expiry ON activations (expires_at);

-- +goose Down
DROP TABLE activations;
DROP TABLE confirmations;
