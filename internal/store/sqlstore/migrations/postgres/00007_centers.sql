-- +goose Up
-- The directory of service centers. Nothing here is personal data: a center's phone and
-- address are public. Hours are the text form of center.Hours, interpreted in timezone (an
-- IANA name); services are space-separated (register confirm recover delete).
CREATE TABLE centers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    address    TEXT NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    hours      TEXT NOT NULL,
    timezone   TEXT NOT NULL,
    phone      TEXT NOT NULL,
    services   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE centers;
