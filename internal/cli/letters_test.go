package cli_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

// orderLetter puts a standard account with an ordered letter into the test's database.
func orderLetter(t *testing.T, dir string) *letters.Letter {
	t.Helper()
	ctx := context.Background()
	keys, err := pii.LoadOrCreate(filepath.Join(dir, "keys.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(dir, "civis.db"), keys, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	a := &account.Account{ID: "01a2043c-0000-7000-8000-000000000001", Level: account.Standard, State: account.Active,
		LastName: "Иванов", FirstName: "Иван", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateAccount(ctx, a, account.Password{Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	l := &letters.Letter{ID: "01a2043c-0000-7000-9000-000000000001", AccountID: a.ID, State: letters.Ordered,
		Address:   letters.Address{Postcode: "101000", Region: "г. Москва", City: "Москва", Street: "ул. Тверская", House: "1"},
		Recipient: "Иванов Иван", OrderedAt: now}
	if err := db.CreateLetter(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLettersCommands(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := civis(t, dir, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	out := filepath.Join(dir, "print")
	if stdout, _, code := civis(t, dir, "letters", "batch", "--out", out); code != 0 || !strings.Contains(stdout, "No letters") {
		t.Errorf("empty batch = %d %q", code, stdout)
	}
	if _, stderr, code := civis(t, dir, "letters", "batch"); code != 1 || !strings.Contains(stderr, "out") {
		t.Errorf("batch without --out = %d %q", code, stderr)
	}
	l := orderLetter(t, dir)
	stdout, stderr, code := civis(t, dir, "letters", "batch", "--out", out, "--issuer", "https://id.example.ru")
	if code != 0 || !strings.Contains(stdout, "1 letters, now sent") || !strings.Contains(stderr, "delete them") {
		t.Fatalf("batch = %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "batch-*.csv"))
	if len(files) != 1 {
		t.Fatalf("batch files %v", files)
	}
	f, _ := os.Open(files[0])
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 2 || rows[1][0] != l.ID || len(rows[1][8]) != 11 {
		t.Errorf("batch CSV %v, %v", rows, err)
	}
	sheet, err := os.ReadFile(filepath.Join(filepath.Dir(files[0]), rows[1][11]))
	if err != nil || !strings.Contains(string(sheet), rows[1][8]) || !strings.Contains(string(sheet), "https://id.example.ru/account/letter") {
		t.Errorf("sheet: %v", err)
	}

	track := filepath.Join(dir, "tracking.csv")
	os.WriteFile(track, []byte("letter_id,tracking_number,state\n"+l.ID+",RA123456789RU,delivered\n"), 0o600)
	stdout, stderr, code = civis(t, dir, "letters", "track", track)
	if code != 0 || !strings.Contains(stdout, l.ID+"  delivered  true") {
		t.Errorf("track = %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	os.WriteFile(track, []byte("letter_id,state\n"+l.ID+",lost\nnope,sent\n"), 0o600)
	_, stderr, code = civis(t, dir, "letters", "track", track)
	if code != 1 || !strings.Contains(stderr, "row 2 (state)") {
		t.Errorf("bad tracking file = %d %q", code, stderr)
	}
}
