package letters_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
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
