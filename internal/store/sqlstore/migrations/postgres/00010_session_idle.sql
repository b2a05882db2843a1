-- +goose Up
-- The cleanup ends sessions idle past the timeout as well as those past their lifetime, and
-- finds them by their last use.
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- +goose Down
DROP INDEX sessions_last_seen;
