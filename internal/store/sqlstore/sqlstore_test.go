package sqlstore_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/audit"
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

// TestPostgresAuditTwoNodes appends to three accounts' audit chains from two nodes at once,
// each batch outside any transaction and spanning the accounts, so that each node's
// remembered chain heads keep going stale behind the other's writes: no event is lost or
// written twice and every chain stays whole.
func TestPostgresAuditTwoNodes(t *testing.T) {
	dsn := storetest.PostgresDSN()
	if dsn == "" {
		t.Skip("CIVIS_TEST_POSTGRES is not set")
	}
	schema := storetest.PostgresSchema(t, dsn)
	nodes := []*sqlstore.DB{migrated(t, schema), migrated(t, schema)}
	accounts := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	const perWorker, workers = 20, 4
	var wg sync.WaitGroup
	for w := range workers {
		db := nodes[w%2]
		wg.Go(func() {
			for i := range perWorker {
				var events []*audit.Event
				for k, acc := range accounts {
					if (i+k+w)%3 == 2 {
						continue // batches of different account sets
					}
					events = append(events,
						&audit.Event{ID: uuid.NewString(), AccountID: acc, Action: "data.released", Actor: "client:x", CreatedAt: time.Now()},
						&audit.Event{ID: uuid.NewString(), AccountID: acc, Action: "token.issued", Actor: "client:x", CreatedAt: time.Now()})
				}
				if err := db.AppendEvents(context.Background(), events); err != nil {
					t.Errorf("AppendEvents: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for _, acc := range accounts {
		evs, err := nodes[0].AccountEvents(context.Background(), acc, 1000)
		if err != nil {
			t.Fatal(err)
		}
		total += len(evs)
		slices.Reverse(evs)
		if err := audit.Verify(evs); err != nil {
			t.Errorf("Verify %s: %v", acc, err)
		}
	}
	if want := 2 * 2 * perWorker * workers; total != want {
		t.Errorf("%d events; want %d", total, want)
	}
}
