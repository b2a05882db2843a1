package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// groupDB opens a SQLite database with one table, t(k TEXT PRIMARY KEY), for the group
// commit tests.
func groupDB(t *testing.T) *DB {
	t.Helper()
	return groupDBAt(t, filepath.Join(t.TempDir(), "g.db"))
}

func groupDBAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), "sqlite:"+path, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.w.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func insert(ctx context.Context, db *DB, k string) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO t (k) VALUES ($1)`, k)
	return mapErr(err)
}

// keys returns the committed rows, read through the reader pool.
func (db *DB) committedKeys(t *testing.T) map[string]bool {
	t.Helper()
	rows, err := db.r.Query(`SELECT k FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out[k] = true
	}
	return out
}

// holdWriter keeps the writer busy in a transaction until release is closed, so that the
// transactions started meanwhile queue up and commit as one group.
func holdWriter(t *testing.T, db *DB) (release chan struct{}, done chan error) {
	return holdWriterThen(t, db, nil)
}

// holdWriterThen is holdWriter whose transaction, after its insert, returns result.
func holdWriterThen(t *testing.T, db *DB, result error) (release chan struct{}, done chan error) {
	release, done, started := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		done <- db.InTx(context.Background(), func(ctx context.Context) error {
			close(started)
			<-release
			if err := insert(ctx, db, "holder"); err != nil {
				return err
			}
			return result
		})
	}()
	<-started
	return release, done
}

// TestGroupMembersAreAtomic: in one group, a failing member's writes are undone and the
// others' are committed, and each caller gets its own outcome.
func TestGroupMembersAreAtomic(t *testing.T) {
	db := groupDB(t)
	release, held := holdWriter(t, db)
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.InTx(context.Background(), func(ctx context.Context) error {
				if err := insert(ctx, db, fmt.Sprintf("a%d", i)); err != nil {
					return err
				}
				if err := insert(ctx, db, fmt.Sprintf("b%d", i)); err != nil {
					return err
				}
				if i%2 == 1 {
					return boom
				}
				return nil
			})
		}()
	}
	waitQueued(t, db, 6)
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	got := db.committedKeys(t)
	for i, err := range errs {
		a, b := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i)
		if i%2 == 1 {
			if !errors.Is(err, boom) || got[a] || got[b] {
				t.Errorf("member %d: err %v, rows %v %v; want its error and none of its rows", i, err, got[a], got[b])
			}
		} else if err != nil || !got[a] || !got[b] {
			t.Errorf("member %d: err %v, rows %v %v; want both rows committed", i, err, got[a], got[b])
		}
	}
}

// TestGroupFailingFirstMember: when the first transaction of a group fails, its writes are
// undone and the transactions that waited behind it still commit.
func TestGroupFailingFirstMember(t *testing.T) {
	db := groupDB(t)
	boom := errors.New("boom")
	release, held := holdWriterThen(t, db, boom)
	var wg sync.WaitGroup
	for _, k := range []string{"a", "b", "c"} {
		wg.Go(func() {
			if err := db.InTx(context.Background(), func(ctx context.Context) error { return insert(ctx, db, k) }); err != nil {
				t.Errorf("%s: %v", k, err)
			}
		})
	}
	waitQueued(t, db, 3)
	close(release)
	wg.Wait()
	if err := <-held; !errors.Is(err, boom) {
		t.Fatalf("first member: %v, want its own error", err)
	}
	got := db.committedKeys(t)
	if got["holder"] || !got["a"] || !got["b"] || !got["c"] {
		t.Fatalf("rows %v: want a, b and c without the failed first member's", got)
	}
}

// TestGroupLaterMemberSeesEarlier: members run in order, each seeing the writes of those
// before it (a unique key taken by an earlier member is a conflict for a later one).
func TestGroupLaterMemberSeesEarlier(t *testing.T) {
	db := groupDB(t)
	release, held := holdWriter(t, db)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.InTx(context.Background(), func(ctx context.Context) error { return insert(ctx, db, "same") })
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else {
				conflicts++
			}
		}()
	}
	waitQueued(t, db, 5)
	close(release)
	wg.Wait()
	<-held
	if ok != 1 || conflicts != 4 {
		t.Fatalf("%d committed, %d conflicts; want 1 and 4", ok, conflicts)
	}
}

// TestGroupPanicReachesCaller: a panic in one member is re-raised on its caller's goroutine,
// its writes are undone, and the writer keeps serving the others.
func TestGroupPanicReachesCaller(t *testing.T) {
	db := groupDB(t)
	recovered := make(chan any, 1)
	go func() {
		defer func() { recovered <- recover() }()
		_ = db.InTx(context.Background(), func(ctx context.Context) error {
			_ = insert(ctx, db, "panicker")
			panic("member panic")
		})
	}()
	if v := <-recovered; v != "member panic" {
		t.Fatalf("recovered %v, want the member's panic", v)
	}
	if err := db.InTx(context.Background(), func(ctx context.Context) error { return insert(ctx, db, "after") }); err != nil {
		t.Fatal(err)
	}
	got := db.committedKeys(t)
	if got["panicker"] || !got["after"] {
		t.Fatalf("rows %v: want only the later transaction's", got)
	}
}

// TestGroupSkipsCallersThatLeft: a transaction whose caller gave up before its turn does not
// run.
func TestGroupSkipsCallersThatLeft(t *testing.T) {
	db := groupDB(t)
	release, held := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- db.InTx(ctx, func(ctx context.Context) error { return insert(ctx, db, "gone") })
	}()
	waitQueued(t, db, 1)
	cancel()
	close(release)
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	<-held
	if db.committedKeys(t)["gone"] {
		t.Fatal("a cancelled transaction was committed")
	}
}

// TestGroupCloseRefusesNewWork: after Close, InTx fails instead of waiting forever.
func TestGroupCloseRefusesNewWork(t *testing.T) {
	db := groupDB(t)
	db.Close()
	err := db.InTx(context.Background(), func(ctx context.Context) error { return nil })
	if !errors.Is(err, errClosed) {
		t.Fatalf("err %v, want errClosed", err)
	}
}

// TestGroupManyWriters: concurrent transactions and single statements all commit.
func TestGroupManyWriters(t *testing.T) {
	db := groupDB(t)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				err = insert(context.Background(), db, fmt.Sprint(i))
			} else {
				err = db.InTx(context.Background(), func(ctx context.Context) error { return insert(ctx, db, fmt.Sprint(i)) })
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(db.committedKeys(t)); n != 200 {
		t.Fatalf("%d rows, want 200", n)
	}
	commits, carried, waiting := db.WriterStats()
	if carried != 200 || commits < 1 || commits > carried || waiting != 0 {
		t.Errorf("WriterStats = %d commits, %d transactions, %d waiting; want 200 transactions in at most 200 commits, none waiting",
			commits, carried, waiting)
	}
}

// waitQueued waits until n more transactions than the held one wait for the writer (and
// a moment more, for the last of them to park on the queue). The assertions of the tests
// hold whichever group a member ends up in; waiting makes it the same group.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for db.waiters.Load() < int64(n+1) {
		if time.Now().After(deadline) {
			t.Fatalf("%d transactions waiting, want %d", db.waiters.Load()-1, n)
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
}

// TestRowChunk: multi-row statements come in powers of two up to 32, so n rows take the
// binary digits of n (plus whole 32s) statements.
func TestRowChunk(t *testing.T) {
	for n, want := range map[int][]int{1: {1}, 7: {4, 2, 1}, 8: {8}, 12: {8, 4}, 33: {32, 1}, 70: {32, 32, 4, 2}} {
		var got []int
		for rest := n; rest > 0; {
			c := rowChunk(rest)
			got = append(got, c)
			rest -= c
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d rows: statements of %v, want %v", n, got, want)
		}
	}
}
