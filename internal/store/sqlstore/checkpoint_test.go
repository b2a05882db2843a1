package sqlstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckpointerCopiesTheWAL: pages committed to the WAL reach the database file through
// the checkpointer, long before the writer's backstop threshold.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	db := groupDBAt(t, path)
	pad := strings.Repeat("x", 1000)
	for i := range 2000 { // about 2 MB in some 500 pages: far below the backstop
		if err := insert(context.Background(), db, fmt.Sprintf("%04d%s", i, pad)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() >= 2_000_000 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes 10 s after the writes: the WAL was not checkpointed", st.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
