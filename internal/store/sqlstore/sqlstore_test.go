package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/store/sqlstore"
	"github.com/civis-id/civis/internal/store/storetest"
)

func keys(t *testing.T) *pii.Keys {
	t.Helper()
	k, err := pii.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func migrated(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, keys(t), sqlstore.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *sqlstore.DB {
		return migrated(t, "sqlite:"+filepath.Join(t.TempDir(), "civis.db"))
	})
}

// TestPostgres runs the suite on PostgreSQL, each subtest in a schema of its own.
func TestPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN()
	if dsn == "" {
		t.Skip("CIVIS_TEST_POSTGRES is not set: skipping the PostgreSQL run (set it to a postgres:// DSN)")
	}
	storetest.Run(t, func(t *testing.T) *sqlstore.DB {
		return migrated(t, storetest.PostgresSchema(t, dsn))
	})
}
