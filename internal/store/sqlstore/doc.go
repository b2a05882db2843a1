// Package sqlstore implements every domain Store on SQLite (modernc.org/sqlite, embedded, WAL)
// and PostgreSQL (pgx) with one SQL text: both engines read $N placeholders by number, and the
// few differences sit in a Dialect value. Times are stored as Unix microseconds (UTC), personal
// data sealed with AEAD and found by keyed blind index. Only app and storetest import it.
package sqlstore
