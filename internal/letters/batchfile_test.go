package letters_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/letters"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -run %s -update rewrites it)\ngot:\n%s", name, t.Name(), got)
	}
}

// counter is a fixed source of "random" bytes.
type counter struct{ n byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.n
		c.n += 7
	}
	return len(p), nil
}

// TestBatchGolden: the print house's files for two letters on a fixed clock with a fixed
// random source.
func TestBatchGolden(t *testing.T) {
	e := newEnv(t, "sqlite")
	ids := 0
	e.svc.NewID = func() string { ids++; return fmt.Sprintf("01a2043c-1111-7000-8000-%012d", ids) }
	e.svc.Rand = &counter{n: 3}
	a, b := e.standard(), e.standard()
	e.order(a)
	_, err := e.svc.Order(context.Background(), b.ID, letters.Address{Postcode: "190000", Region: "г. Санкт-Петербург",
		City: "Санкт-Петербург", Street: "=Невский проспект", House: "28"}, letters.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(90 * 60e9) // 11:00 UTC
	dir := t.TempDir()
	var files *letters.Files
	batch, err := e.svc.Batch(context.Background(), letters.BatchOptions{}, func(b *letters.Batch) error {
		files, err = letters.WriteFiles(dir, b, "https://id.example.ru")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(files.CSV) != "batch-2026-03-02.csv" || len(files.Sheets) != 2 ||
		files.Sheets[0] != filepath.Join(dir, "batch-2026-03-02", batch.Letters[0].ID+".html") {
		t.Fatalf("files %+v", files)
	}
	for _, p := range files.All() {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", p, err, fi.Mode())
		}
	}
	csv, _ := os.ReadFile(files.CSV)
	golden(t, "batch.csv.golden", csv)
	sheet, _ := os.ReadFile(files.Sheets[0])
	golden(t, "sheet.html.golden", sheet)

	// A second batch the same day gets its own name.
	e.clk.Advance(2 * day)
	e.order(a)
	e.clk.Advance(-2*day + 60e9)
	_, err = e.svc.Batch(context.Background(), letters.BatchOptions{}, func(b *letters.Batch) error {
		files, err = letters.WriteFiles(dir, b, "https://id.example.ru")
		return err
	})
	if err != nil || filepath.Base(files.CSV) != "batch-2026-03-02-2.csv" {
		t.Errorf("second batch of the day: %v, %+v", err, files)
	}
}

// TestBatchSkipsGoneAccounts: a letter of an account deleted (or confirmed otherwise) since
// the order is voided, not printed.
func TestBatchSkipsGoneAccounts(t *testing.T) {
	e := newEnv(t, "sqlite")
	a, b := e.standard(), e.standard()
	la, lb := e.order(a), e.order(b)
	if ok, err := e.db.MarkDeleted(context.Background(), b.ID, t0); err != nil || !ok {
		t.Fatal(ok, err)
	}
	codes := e.batch(letters.BatchOptions{})
	if len(codes) != 1 || codes[la.ID] == "" {
		t.Errorf("printed %v, want only the active account's letter", codes)
	}
	if got := e.letter(lb.ID); got.State != letters.Void {
		t.Errorf("deleted account's letter: %s, want void", got.State)
	}
}

// TestBatchWriteFails: when the files cannot be written, the batch changes nothing.
func TestBatchWriteFails(t *testing.T) {
	e := newEnv(t, "sqlite")
	l := e.order(e.standard())
	_, err := e.svc.Batch(context.Background(), letters.BatchOptions{}, func(*letters.Batch) error {
		return fmt.Errorf("disk full")
	})
	if err == nil {
		t.Fatal("Batch succeeded")
	}
	if got := e.letter(l.ID); got.State != letters.Ordered || got.CodeHash != "" {
		t.Errorf("after a failed batch: %s, hash %q", got.State, got.CodeHash)
	}
	if n := len(e.batch(letters.BatchOptions{})); n != 1 {
		t.Errorf("next batch printed %d letters, want 1", n)
	}
}

var writers int

// size is the number of letters of b, -1 without a batch.
func size(b *letters.Batch) int {
	if b == nil {
		return -1
	}
	return len(b.Letters)
}

// newAccount is an account to create while a batch runs.
func newAccount() *account.Account {
	writers++
	return &account.Account{ID: fmt.Sprintf("01a2043c-0000-7000-a000-%012d", writers), Level: account.Simplified,
		State: account.Active, CreatedAt: t0, UpdatedAt: t0}
}

// TestBatchChunks: a batch larger than a chunk records each chunk in a transaction of its
// own, writes the files of each outside any transaction, lets other writes commit meanwhile,
// and ends with one set of files holding every letter once.
func TestBatchChunks(t *testing.T) {
	for _, engine := range engines() {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			e.svc.Config.BatchChunk = 2
			ordered := e.orderMany(5)
			tx := e.countTx()
			accounts, standings := &accountReads{Store: e.db}, &standingReads{Store: e.db}
			e.svc.Accounts, e.svc.Store = accounts, standings
			var files *letters.Files
			var sizes []int
			write := writeTo(t.TempDir(), &files)
			b, err := e.svc.Batch(context.Background(), letters.BatchOptions{}, func(b *letters.Batch) error {
				if _, open := tx.state(); open {
					t.Error("the batch writes its files inside a transaction")
				}
				sizes = append(sizes, len(b.Letters))
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := e.db.CreateAccount(ctx, newAccount(), account.Password{Hash: "h"}); err != nil {
					t.Errorf("another write while the batch runs: %v", err)
				}
				return write(b)
			})
			if err != nil {
				t.Fatal(err)
			}
			if begun, _ := tx.state(); begun != 3 || !slices.Equal(sizes, []int{2, 2, 1}) || len(b.Letters) != 5 {
				t.Errorf("%d transactions, chunks %v, %d letters; want 3 transactions for chunks [2 2 1]", begun, sizes, len(b.Letters))
			}
			if accounts.n != 0 || standings.n != 3 {
				t.Errorf("the batch read %d accounts one by one and called AccountStandings %d times; want 0 and 3, one per chunk",
					accounts.n, standings.n)
			}
			e.checkFiles(files, b.ID, ordered)
		})
	}
}

// accountReads counts the accounts read one by one.
type accountReads struct {
	account.Store
	n int
}

func (r *accountReads) GetAccount(ctx context.Context, id string) (*account.Account, error) {
	r.n++
	return r.Store.GetAccount(ctx, id)
}

// standingReads counts the AccountStandings calls.
type standingReads struct {
	letters.Store
	n int
}

func (r *standingReads) AccountStandings(ctx context.Context, ids []string) (map[string]letters.Standing, error) {
	r.n++
	return r.Store.AccountStandings(ctx, ids)
}

// TestBatchLimitSpansChunks: BatchLimit counts the letters of every chunk.
func TestBatchLimitSpansChunks(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.svc.Config.BatchChunk, e.svc.Config.BatchLimit = 2, 3
	ordered := e.orderMany(5)
	codes := e.batch(letters.BatchOptions{})
	if len(codes) != 3 || codes[ordered[2].ID] == "" || codes[ordered[3].ID] != "" {
		t.Errorf("printed %v, want the 3 oldest", codes)
	}
	if got := e.letter(ordered[4].ID); got.State != letters.Ordered {
		t.Errorf("letter past the limit: %s, want ordered", got.State)
	}
}

// TestBatchFailsMidway: when the second chunk's files or transaction fail, the first chunk
// stays recorded and in the files, the second is taken out of them, the rest stay ordered,
// and the next batch prints those, each once.
func TestBatchFailsMidway(t *testing.T) {
	for _, fail := range []string{"write", "commit"} {
		t.Run(fail, func(t *testing.T) {
			e := newEnv(t, "sqlite")
			e.svc.Config.BatchChunk = 2
			ordered := e.orderMany(5)
			tx := e.countTx()
			if fail == "commit" {
				tx.failAt = 2
			}
			dir := t.TempDir()
			var files *letters.Files
			write, calls := writeTo(dir, &files), 0
			b, err := e.svc.Batch(context.Background(), letters.BatchOptions{}, func(b *letters.Batch) error {
				calls++
				if err := write(b); err != nil || fail != "write" || calls != 2 {
					return err
				}
				return errors.New("disk full")
			})
			if err == nil || b == nil || files == nil {
				t.Fatalf("Batch = %d letters, %v; want the first chunk recorded and the error", size(b), err)
			}
			if !strings.Contains(err.Error(), "2 letters were recorded, in "+files.CSV) || len(b.Letters) != 2 {
				t.Errorf("Batch = %d letters, %v; want the first chunk recorded and the error", len(b.Letters), err)
			}
			e.checkFiles(files, b.ID, ordered[:2])
			for _, l := range ordered[2:] {
				if got := e.letter(l.ID); got.State != letters.Ordered || got.CodeHash != "" || got.BatchID != "" {
					t.Errorf("letter %s after the failure: %s, hash %q, batch %q; want ordered", l.ID, got.State, got.CodeHash, got.BatchID)
				}
			}

			tx.failAt = 0
			var again *letters.Files
			b2, err := e.svc.Batch(context.Background(), letters.BatchOptions{}, writeTo(dir, &again))
			if err != nil || len(b2.Letters) != 3 || again.CSV == files.CSV {
				t.Fatalf("next batch: %d letters, %v; want 3", size(b2), err)
			}
			e.checkFiles(again, b2.ID, ordered[2:])
		})
	}
}

// TestBatchCommitAnswerLost: a chunk whose commit succeeded though its answer was an error is
// kept, in the database and in the files.
func TestBatchCommitAnswerLost(t *testing.T) {
	for _, engine := range engines() {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			e.svc.Config.BatchChunk = 2
			ordered := e.orderMany(3)
			e.countTx().loseAt = 1
			var files *letters.Files
			b, err := e.svc.Batch(context.Background(), letters.BatchOptions{}, writeTo(t.TempDir(), &files))
			if err != nil || len(b.Letters) != 3 {
				t.Fatalf("Batch = %d letters, %v; want all 3", size(b), err)
			}
			e.checkFiles(files, b.ID, ordered)
		})
	}
}

// TestBatchLostRace: a letter voided by a new order after the batch read it makes its chunk's
// transaction fail; the chunk is taken out of the files and done again without it, and the
// new letter goes into a later chunk.
func TestBatchLostRace(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.svc.Config.BatchChunk = 2
	ordered := e.orderMany(4)
	e.clk.Advance(day)
	var files *letters.Files
	var renewed *letters.Letter
	write, calls := writeTo(t.TempDir(), &files), 0
	b, err := e.svc.Batch(context.Background(), letters.BatchOptions{}, func(b *letters.Batch) error {
		if calls++; calls == 1 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var err error
			if renewed, err = e.svc.Order(ctx, ordered[0].AccountID, home, letters.Meta{}); err != nil {
				return fmt.Errorf("a new order while the batch runs: %w", err)
			}
		}
		return write(b)
	})
	if err != nil || calls != 3 || len(b.Letters) != 4 {
		t.Fatalf("Batch = %d letters in %d writes, %v; want 4 in 3", size(b), calls, err)
	}
	if got := e.letter(ordered[0].ID); got.State != letters.Void {
		t.Errorf("replaced letter: %s, want void", got.State)
	}
	e.checkFiles(files, b.ID, append(ordered[1:], renewed))
}
