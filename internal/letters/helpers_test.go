package letters_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
	"github.com/civis-id/civis/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// env is a letters service on a fresh database, with a job runner on the test clock.
type env struct {
	t      testing.TB
	db     *sqlstore.DB
	clk    *clock
	svc    *letters.Service
	runner *jobs.Runner
	sent   *sentMessages
}

func engines() []string {
	out := []string{"sqlite"}
	if storetest.PostgresDSN() != "" {
		out = append(out, "postgres")
	}
	return out
}

func openDB(t testing.TB, engine string) *sqlstore.DB {
	t.Helper()
	k, err := pii.Generate()
	if err != nil {
		t.Fatal(err)
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "l.db")
	if engine == "postgres" {
		dsn = storetest.PostgresSchema(t, storetest.PostgresDSN())
	}
	db, err := sqlstore.Open(context.Background(), dsn, k, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func newEnv(t testing.TB, engine string) *env {
	db := openDB(t, engine)
	clk := &clock{now: t0}
	q := &jobs.Queue{Store: db, Now: clk.Now}
	out := &messages.Outbox{Queue: q, Now: clk.Now}
	cfg := letters.DefaultConfig()
	cfg.SiteURL = "https://civis.test"
	svc := &letters.Service{Tx: db, Store: db, Accounts: db, Profiles: db, CodeKey: credential.CodeKey("0123456789abcdef0123456789abcdef"),
		Limiter: &ratelimit.Limiter{Store: db, Now: clk.Now}, Queue: q, Notices: &notice.Notifier{Store: db, Outbox: out},
		Audit: &audit.Recorder{Store: db, Now: clk.Now}, Config: cfg, Now: clk.Now}
	sent := &sentMessages{}
	r := &jobs.Runner{Store: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: 2,
		Handlers: map[string]jobs.Handler{letters.JobKind: svc.Handle, messages.JobKind: messages.Handler(sent, nil)}}
	return &env{t: t, db: db, clk: clk, svc: svc, runner: r, sent: sent}
}

// deliver runs the due jobs.
func (e *env) deliver() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for e.runner.RunOnce(ctx) > 0 {
	}
}

var phones int

// standard creates an active standard account with a confirmed phone and a registration
// address in its profile.
func (e *env) standard() *account.Account {
	e.t.Helper()
	phones++
	a := &account.Account{ID: fmt.Sprintf("01a2043c-0000-7000-8000-%012d", phones), Level: account.Standard,
		State: account.Active, LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович", Locale: "ru",
		CreatedAt: t0, UpdatedAt: t0,
		Contacts: []account.Contact{{ID: fmt.Sprintf("01a2043c-0000-7000-9000-%012d", phones), Kind: account.Phone,
			Value: fmt.Sprintf("+7916%07d", phones), Verified: true, CreatedAt: t0}}}
	ctx := context.Background()
	if err := e.db.CreateAccount(ctx, a, account.Password{Hash: "h"}); err != nil {
		e.t.Fatal(err)
	}
	_, err := e.db.UpdateProfile(ctx, a.ID, func(p *proofing.Profile) error {
		p.RegistrationAddress = &proofing.Address{Country: "RUS", ZipCode: "101000", Region: "г. Москва", City: "Москва",
			Street: "ул. Тверская", House: "1", Flat: "5"}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) account(id string) *account.Account {
	e.t.Helper()
	a, err := e.db.GetAccount(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

var home = letters.Address{Postcode: "101000", Region: "г. Москва", City: "Москва", Street: "ул. Тверская", House: "1", Flat: "5"}

// order orders a letter, failing the test on an error.
func (e *env) order(a *account.Account) *letters.Letter {
	e.t.Helper()
	l, err := e.svc.Order(context.Background(), a.ID, home, letters.Meta{IP: "192.0.2.1"})
	if err != nil {
		e.t.Fatalf("Order: %v", err)
	}
	return l
}

// batch runs a print batch and returns the printed codes by letter id.
func (e *env) batch(opts letters.BatchOptions) map[string]string {
	e.t.Helper()
	codes := map[string]string{}
	_, err := e.svc.Batch(context.Background(), opts, func(b *letters.Batch) error {
		for _, p := range b.Letters {
			codes[p.ID] = p.Code
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("Batch: %v", err)
	}
	return codes
}

func (e *env) letter(id string) *letters.Letter {
	e.t.Helper()
	l, err := e.db.GetLetter(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return l
}

func (e *env) confirm(a *account.Account, code string) error {
	return e.svc.Confirm(context.Background(), a.ID, code, letters.Meta{IP: "192.0.2.1"})
}

// sentMessages is a notify.Sender that remembers what it sent.
type sentMessages struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (s *sentMessages) Send(_ context.Context, m notify.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	return nil
}

// count returns how many messages to to contain part.
func (s *sentMessages) count(to, part string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.msgs {
		if m.To == to && strings.Contains(m.Body, part) {
			n++
		}
	}
	return n
}

func reminderJob(letterID string) *jobs.Job {
	return &jobs.Job{Kind: letters.JobKind, Payload: []byte(`{"letter_id":"` + letterID + `"}`)}
}

// orderMany orders a letter for each of n new standard accounts, a second apart, so that the
// batch takes them in this order.
func (e *env) orderMany(n int) []*letters.Letter {
	e.t.Helper()
	var out []*letters.Letter
	for range n {
		out = append(out, e.order(e.standard()))
		e.clk.Advance(time.Second)
	}
	return out
}

// txCounter is the service's store.Transactor wrapped: it counts the transactions begun,
// knows whether one is open, and fails one on demand.
type txCounter struct {
	store.Transactor
	mu     sync.Mutex
	begun  int
	open   int
	failAt int // transaction number failAt runs its function, then fails (rolled back)
	loseAt int // transaction number loseAt commits, then answers an error
}

// countTx puts a txCounter in front of the service's transactions.
func (e *env) countTx() *txCounter {
	c := &txCounter{Transactor: e.db}
	e.svc.Tx = c
	return c
}

func (c *txCounter) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := store.TxFromContext(ctx); ok {
		return c.Transactor.InTx(ctx, fn)
	}
	c.mu.Lock()
	c.begun++
	n := c.begun
	c.mu.Unlock()
	err := c.Transactor.InTx(ctx, func(ctx context.Context) error {
		c.inside(1)
		defer c.inside(-1)
		if err := fn(ctx); err != nil {
			return err
		}
		if n == c.failAt {
			return errors.New("injected: the transaction fails")
		}
		return nil
	})
	if err == nil && n == c.loseAt {
		return errors.New("injected: the commit's answer is lost")
	}
	return err
}

func (c *txCounter) inside(d int) {
	c.mu.Lock()
	c.open += d
	c.mu.Unlock()
}

// state returns the transactions begun and whether one is open.
func (c *txCounter) state() (begun int, open bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.begun, c.open > 0
}

// writeTo returns a Batch write function that writes the files into dir and keeps them in
// *files, as `civis letters batch` does.
func writeTo(dir string, files **letters.Files) func(*letters.Batch) error {
	return func(b *letters.Batch) error {
		f, err := letters.WriteFiles(dir, b, "https://civis.test")
		if f != nil {
			*files = f
		}
		return err
	}
}

// checkFiles checks that files hold exactly the letters want, each once, that each is
// recorded as sent in batch batchID, and that the code printed for it confirms its account.
func (e *env) checkFiles(files *letters.Files, batchID string, want []*letters.Letter) {
	e.t.Helper()
	if files == nil {
		e.t.Fatal("no files were written")
	}
	fh, err := os.Open(files.CSV)
	if err != nil {
		e.t.Fatal(err)
	}
	rows, err := csv.NewReader(fh).ReadAll()
	fh.Close()
	if err != nil || len(rows) == 0 || !slices.Equal(rows[0], letters.Columns) {
		e.t.Fatalf("batch CSV %s: %v, %d rows", files.CSV, err, len(rows))
	}
	var got, wantIDs, sheets []string
	for _, l := range want {
		wantIDs = append(wantIDs, l.ID)
	}
	for _, row := range rows[1:] {
		got = append(got, row[0])
		l := e.letter(row[0])
		if l.State != letters.Sent || l.BatchID != batchID || row[10] != batchID {
			e.t.Errorf("letter %s in the CSV: %s in batch %q, row says %q; want sent in %q", l.ID, l.State, l.BatchID, row[10], batchID)
		}
		if err := e.svc.Confirm(context.Background(), l.AccountID, row[8], letters.Meta{}); err != nil {
			e.t.Errorf("the code printed for %s does not confirm: %v", l.ID, err)
		}
	}
	entries, err := os.ReadDir(strings.TrimSuffix(files.CSV, ".csv"))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, en := range entries {
		sheets = append(sheets, strings.TrimSuffix(en.Name(), ".html"))
	}
	slices.Sort(got)
	slices.Sort(wantIDs)
	if !slices.Equal(got, wantIDs) || !slices.Equal(sheets, wantIDs) || len(files.Sheets) != len(want) {
		e.t.Errorf("the files hold letters %v and sheets %v (Files lists %d); want %v", got, sheets, len(files.Sheets), wantIDs)
	}
}
