package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	if db.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db.w, sub)
}

// Migrate applies every pending migration; each runs in its own transaction.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// LatestVersion is the newest migration embedded in this binary.
func (db *DB) LatestVersion() (int64, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	src := p.ListSources()
	if len(src) == 0 {
		return 0, nil
	}
	return src[len(src)-1].Version, nil
}

// Ready checks, through the pool that serves reads, that the database answers and that its
// schema is at this binary's version.
func (db *DB) Ready(ctx context.Context) error {
	want, err := db.LatestVersion()
	if err != nil {
		return err
	}
	var have sql.NullInt64
	err = db.r.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&have)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have.Int64 < want {
		return fmt.Errorf("schema at version %d, binary needs %d: run civis migrate", have.Int64, want)
	}
	return nil
}
