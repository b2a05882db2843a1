package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// WAL checkpoints (SQLite only).
//
// A checkpoint copies the pages committed to the WAL back into the database file and syncs
// it. Left to the writer (wal_autocheckpoint), it runs inside the commit that crosses the
// threshold: that commit, and every transaction queued behind it, waits while thousands of
// pages are copied and synced, which is what a loaded node's slowest answers were made of.
// A checkpointer goroutine with a connection of its own runs PASSIVE checkpoints instead,
// often and small: PASSIVE never blocks the writer or the readers, and copies each page
// once however many commits rewrote it since the last one. The writer's own automatic
// checkpoint stays as a backstop, at a threshold the checkpointer normally keeps the WAL
// far below.

const (
	// checkpointEvery is the checkpointer's period.
	checkpointEvery = 200 * time.Millisecond
	// backstopPages is the writer's wal_autocheckpoint: it checkpoints by itself only when
	// the WAL grows past this many pages (128 MiB) between two runs of the checkpointer.
	backstopPages = 32000
)

// startCheckpointer runs PASSIVE checkpoints on conn until stop is closed.
func (db *DB) startCheckpointer(conn *sql.DB) {
	db.checkpointDone = make(chan struct{})
	go func() {
		defer close(db.checkpointDone)
		defer conn.Close()
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-db.stop:
				return
			case <-t.C:
				// An error (say, a busy database file) is retried at the next tick; the
				// backstop bounds the WAL meanwhile.
				_, _ = conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
			}
		}
	}()
}
