package letters_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
