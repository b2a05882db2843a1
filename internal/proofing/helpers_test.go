package proofing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/registry"
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

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is a proofing service on a fresh database, with a runner on the test clock.
type env struct {
	t      testing.TB
	db     *sqlstore.DB
	clk    *clock
	svc    *proofing.Service
	runner *jobs.Runner
	sent   *sentMessages
}

// openDB opens a fresh migrated database: SQLite, or PostgreSQL when engine is "postgres".
func openDB(t testing.TB, engine string) *sqlstore.DB {
	t.Helper()
	k, err := pii.Generate()
	if err != nil {
		t.Fatal(err)
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
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

func newEnv(t testing.TB, regs registry.Registries) *env {
	return newEnvOn(t, openDB(t, "sqlite"), regs)
}

func newEnvOn(t testing.TB, db *sqlstore.DB, regs registry.Registries) *env {
	clk := &clock{now: t0}
	q := &jobs.Queue{Store: db, Now: clk.Now}
	cfg := proofing.DefaultConfig()
	cfg.SiteURL = "https://civis.test"
	svc := &proofing.Service{Tx: db, Store: db, Accounts: db, Queue: q, Registries: regs,
		Outbox: &messages.Outbox{Queue: q, Now: clk.Now}, Audit: &audit.Recorder{Store: db, Now: clk.Now},
		Logger: quiet(), Config: cfg, Now: clk.Now}
	sent := &sentMessages{}
	r := &jobs.Runner{Store: db, Now: clk.Now, Logger: quiet(), Workers: 4,
		Handlers: map[string]jobs.Handler{proofing.JobKind: svc.Handle, messages.JobKind: messages.Handler(sent, nil)}}
	return &env{t: t, db: db, clk: clk, svc: svc, runner: r, sent: sent}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

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

func (s *sentMessages) to(addr string) []notify.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []notify.Message
	for _, m := range s.msgs {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// run runs due jobs until none is due now.
func (e *env) run() int {
	e.t.Helper()
	total := 0
	for range 1000 {
		n := e.runner.RunOnce(context.Background())
		if n == 0 {
			return total
		}
		total += n
	}
	e.t.Fatal("jobs never ran out")
	return total
}

// runFor advances the clock in steps up to d, running due jobs after each step.
func (e *env) runFor(d, step time.Duration) {
	for end := e.clk.Now().Add(d); e.clk.Now().Before(end); {
		e.clk.Advance(min(step, end.Sub(e.clk.Now())))
		e.run()
	}
}

var accountSeq int

// newAccount creates an account with a confirmed phone and email.
func (e *env) newAccount(level account.Level) *account.Account {
	e.t.Helper()
	accountSeq++
	now := e.clk.Now()
	a := &account.Account{ID: uuid.Must(uuid.NewV7()).String(), Level: level, State: account.Active,
		LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович", Locale: "ru", CreatedAt: now, UpdatedAt: now,
		Contacts: []account.Contact{
			{ID: uuid.NewString(), Kind: account.Phone, Value: fmt.Sprintf("+7916%07d", accountSeq), Verified: true, CreatedAt: now},
			{ID: uuid.NewString(), Kind: account.Email, Value: fmt.Sprintf("u%d@example.ru", accountSeq), Verified: true, CreatedAt: now},
		}}
	if err := e.db.CreateAccount(context.Background(), a, account.Password{Hash: "h"}); err != nil {
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

func ptr[T any](v T) *T { return &v }

// Ivanov's data match the simulator's sample person.
func ivanov() proofing.Personal {
	return proofing.Personal{LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович", Gender: "M",
		BirthDate: "1985-03-14", BirthPlace: "г. Москва", Citizenship: "RUS"}
}

func ivanovPassport() proofing.IDDocument {
	return proofing.IDDocument{Type: proofing.RFPassport, Series: "4509", Number: "123456", IssueDate: "2005-04-02",
		Issuer: "ОВД Тверского района г. Москвы", DepartmentCode: "770-001"}
}

func fullPatch() proofing.Patch {
	per, doc := ivanov(), ivanovPassport()
	return proofing.Patch{Personal: &per, SNILS: ptr("112-233-445 95"), IDDoc: &doc}
}

// fill enters the standard-level data.
func (e *env) fill(accountID string, p proofing.Patch) {
	e.t.Helper()
	if _, err := e.svc.Update(context.Background(), accountID, p, proofing.Meta{}); err != nil {
		e.t.Fatalf("Update: %v", err)
	}
}

func (e *env) submit(accountID string) *proofing.Submission {
	e.t.Helper()
	sub, err := e.svc.Submit(context.Background(), accountID, proofing.Meta{})
	if err != nil {
		e.t.Fatalf("Submit: %v", err)
	}
	return sub
}

func (e *env) profile(accountID string) (*proofing.Profile, *proofing.Submission) {
	e.t.Helper()
	p, s, err := e.svc.Profile(context.Background(), accountID)
	if err != nil {
		e.t.Fatal(err)
	}
	return p, s
}

// states lists "registry:state[:reason]" for each check of s.
func states(s *proofing.Submission) map[string]string {
	out := map[string]string{}
	for _, c := range s.Checks {
		v := string(c.State)
		if c.Reason != "" {
			v += ":" + c.Reason
		}
		out[c.Registry] = v
	}
	return out
}

// fakeRegistries answers every check through answer (default: verified, INN lookups find
// 500100732259) and counts the calls.
type fakeRegistries struct {
	mu     sync.Mutex
	calls  map[string]int
	answer func(reg string, p registry.Person, value string) (registry.Result, error)
}

func newFake() *fakeRegistries { return &fakeRegistries{calls: map[string]int{}} }

func (f *fakeRegistries) registries() registry.Registries {
	return registry.Registries{SNILS: f, Document: f, INN: f}
}

func (f *fakeRegistries) do(reg string, p registry.Person, value string) (registry.Result, error) {
	f.mu.Lock()
	f.calls[reg]++
	answer := f.answer
	f.mu.Unlock()
	if answer != nil {
		return answer(reg, p, value)
	}
	if reg == registry.NameINN && value == "" {
		return registry.Result{Outcome: registry.Verified, INN: "500100732259"}, nil
	}
	return registry.Result{Outcome: registry.Verified, INN: value}, nil
}

func (f *fakeRegistries) set(a func(reg string, p registry.Person, value string) (registry.Result, error)) {
	f.mu.Lock()
	f.answer = a
	f.mu.Unlock()
}

func (f *fakeRegistries) count(reg string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[reg]
}

func (f *fakeRegistries) CheckSNILS(_ context.Context, p registry.Person, snils string) (registry.Result, error) {
	return f.do(registry.NameSNILS, p, snils)
}

func (f *fakeRegistries) CheckDocument(_ context.Context, p registry.Person, d registry.Document) (registry.Result, error) {
	return f.do(registry.NameDocument, p, d.Series+d.Number)
}

func (f *fakeRegistries) CheckINN(_ context.Context, p registry.Person, inn string) (registry.Result, error) {
	return f.do(registry.NameINN, p, inn)
}

// pendingJobs counts the queued jobs of a kind.
func (e *env) pendingJobs(kind string) int {
	e.t.Helper()
	stats, err := e.db.JobStats(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, s := range stats {
		if s.Kind == kind && s.State != jobs.Failed {
			n += s.Count
		}
	}
	return n
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// snils returns a valid SNILS (11 digits) for n, distinct for distinct n < 10^8.
func snils(n int) string {
	body := fmt.Sprintf("%09d", 100000000+n)
	sum := 0
	for i := range 9 {
		sum += int(body[i]-'0') * (9 - i)
	}
	return fmt.Sprintf("%s%02d", body, sum%101%100)
}

// patchFor is fullPatch with a SNILS of its own.
func patchFor(n int) proofing.Patch {
	p := fullPatch()
	p.SNILS = ptr(snils(n))
	return p
}
