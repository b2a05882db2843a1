package proofing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/registry"
)

// crashingStore fails FinishCheck after doing the write, so the transaction that holds the
// registry's answer rolls back: as if the node died between the answer and the commit.
type crashingStore struct {
	proofing.Store
	crashes atomic.Int32
}

func (s *crashingStore) FinishCheck(ctx context.Context, id string, attempt int, r proofing.Result) (bool, error) {
	ok, err := s.Store.FinishCheck(ctx, id, attempt, r)
	if err == nil && s.crashes.Add(-1) >= 0 {
		return false, errors.New("simulated crash before commit")
	}
	return ok, err
}

// assertOneResult checks that the account's only submission is verified and was reported
// once: one promotion in the audit log, one message per confirmed contact.
func assertOneResult(t *testing.T, e *env, a *account.Account) {
	t.Helper()
	e.run()
	subs, err := e.svc.Submissions(context.Background(), a.ID, 10)
	if err != nil || len(subs) != 1 || subs[0].State != proofing.SubmissionVerified || subs[0].Pending != 0 {
		t.Fatalf("submissions = %v, %v; want one verified with 0 pending", subs, err)
	}
	for _, c := range subs[0].Checks {
		if c.State != proofing.CheckVerified {
			t.Errorf("check %s = %s", c.Registry, c.State)
		}
	}
	events, err := e.db.AccountEvents(context.Background(), a.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	verified := 0
	for _, ev := range events {
		if ev.Action == proofing.ActionVerified {
			verified++
		}
	}
	if verified != 1 {
		t.Errorf("%d %s events, want 1", verified, proofing.ActionVerified)
	}
	for _, c := range a.Contacts {
		if n := len(e.sent.to(c.Value)); n != 1 {
			t.Errorf("%d messages to %s, want 1", n, c.Value)
		}
	}
	if got := e.account(a.ID).Level; got != account.Standard {
		t.Errorf("level = %s", got)
	}
}

// TestCrashBetweenAnswerAndWrite: every check's first result write is lost; the jobs run
// again, ask again, and each result is written exactly once.
func TestCrashBetweenAnswerAndWrite(t *testing.T) {
	f := newFake()
	e := newEnv(t, f.registries())
	cs := &crashingStore{Store: e.db}
	cs.crashes.Store(3)
	e.svc.Store = cs
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	if _, last := e.profile(a.ID); last.State != proofing.SubmissionChecking {
		t.Fatalf("after the crashes the submission is %s, want still checking", last.State)
	}
	e.runFor(time.Minute, 5*time.Second) // the jobs' retry backoff
	assertOneResult(t, e, a)
	for _, reg := range []string{registry.NameSNILS, registry.NameDocument, registry.NameINN} {
		if n := f.count(reg); n != 2 {
			t.Errorf("%s called %d times, want 2 (the lost answer, then the written one)", reg, n)
		}
	}
}

// TestJobRunsAgainAfterCommit: the node died after the result committed but before the job
// was deleted, so the job runs again (even twice at once): nothing changes.
func TestJobRunsAgainAfterCommit(t *testing.T) {
	f := newFake()
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	ctx := context.Background()
	claimed, err := e.db.ClaimJobs(ctx, e.clk.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claimed %d jobs, %v", len(claimed), err)
	}
	for _, j := range claimed {
		var wg sync.WaitGroup
		for range 3 { // the same job delivered three times, concurrently
			wg.Go(func() {
				if err := e.svc.Handle(ctx, j); err != nil {
					t.Errorf("Handle: %v", err)
				}
			})
		}
		wg.Wait()
		if err := e.svc.Handle(ctx, j); err != nil { // and once more later
			t.Errorf("Handle again: %v", err)
		}
	}
	// The leases run out: the runner sees the jobs again and finds nothing to do.
	e.clk.Advance(2 * time.Minute)
	assertOneResult(t, e, a)
}

// TestStaleAttemptIsIgnored: a job holding an old attempt token does not touch the check.
func TestStaleAttemptIsIgnored(t *testing.T) {
	f := newFake()
	f.set(func(string, registry.Person, string) (registry.Result, error) {
		return registry.Result{}, registry.ErrUnavailable
	})
	e := newEnv(t, f.registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	ctx := context.Background()
	claimed, _ := e.db.ClaimJobs(ctx, e.clk.Now(), time.Minute, 10)
	for _, j := range claimed {
		if err := e.svc.Handle(ctx, j); err != nil { // unavailable: rescheduled under attempt 2
			t.Fatal(err)
		}
	}
	calls := f.count(registry.NameSNILS)
	f.set(nil)
	for _, j := range claimed { // the attempt-1 jobs again
		if err := e.svc.Handle(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if f.count(registry.NameSNILS) != calls {
		t.Error("a stale job called the registry")
	}
	_, last := e.profile(a.ID)
	for _, c := range last.Checks {
		if c.State != proofing.CheckPending || c.Attempt != 2 || c.Calls != 1 {
			t.Errorf("check %s = %s attempt %d calls %d; want pending at attempt 2 after 1 call", c.Registry, c.State, c.Attempt, c.Calls)
		}
	}
}

func TestBreaker(t *testing.T) {
	b := &proofing.Breaker{Failures: 3, Cooldown: 30 * time.Second}
	now := t0
	for i := range 3 {
		if ok, _ := b.Allow(now); !ok {
			t.Fatalf("call %d refused by a closed circuit", i+1)
		}
		b.Failure(now)
	}
	if ok, retry := b.Allow(now.Add(10 * time.Second)); ok || !retry.Equal(now.Add(30*time.Second)) {
		t.Errorf("open circuit: Allow = %v, retry %v; want refused until the cool-down ends", ok, retry)
	}
	later := now.Add(31 * time.Second)
	if ok, _ := b.Allow(later); !ok {
		t.Fatal("half-open circuit refused the probe")
	}
	if ok, _ := b.Allow(later); ok {
		t.Error("half-open circuit let a second call through during the probe")
	}
	b.Failure(later)
	if ok, _ := b.Allow(later.Add(time.Second)); ok || !b.Open(later.Add(time.Second)) {
		t.Error("a failed probe did not reopen the circuit")
	}
	again := later.Add(31 * time.Second)
	if ok, _ := b.Allow(again); !ok {
		t.Fatal("second probe refused")
	}
	b.Success()
	for range 5 {
		if ok, _ := b.Allow(again); !ok {
			t.Fatal("closed circuit refused a call")
		}
	}
	// A probe that never reports expires after a cool-down.
	b2 := &proofing.Breaker{Failures: 1, Cooldown: time.Minute}
	b2.Failure(t0)
	b2.Allow(t0.Add(time.Minute))
	if ok, _ := b2.Allow(t0.Add(3 * time.Minute)); !ok {
		t.Error("a lost probe blocked the circuit for good")
	}
}

// TestBreakerSkipsCalls: once a registry's circuit opens, checks are rescheduled without
// calling it; when it recovers, they finish.
func TestBreakerSkipsCalls(t *testing.T) {
	f := newFake()
	down := atomic.Bool{}
	down.Store(true)
	f.set(func(reg string, _ registry.Person, v string) (registry.Result, error) {
		if reg == registry.NameDocument && down.Load() {
			return registry.Result{}, registry.ErrUnavailable
		}
		return registry.Result{Outcome: registry.Verified, INN: "500100732259"}, nil
	})
	e := newEnv(t, f.registries())
	var skipped atomic.Int32
	e.svc.Observe = func(reg, outcome string, _ time.Duration) {
		if reg == registry.NameDocument && outcome == proofing.OutcomeCircuitOpen {
			skipped.Add(1)
		}
	}
	var accounts []*account.Account
	for i := range 10 {
		a := e.newAccount(account.Simplified)
		e.fill(a.ID, patchFor(i))
		accounts = append(accounts, a)
	}
	for _, a := range accounts[:5] {
		e.submit(a.ID)
	}
	e.run() // five failures open the circuit
	if !e.svc.Breaker(registry.NameDocument).Open(e.clk.Now()) {
		t.Fatal("the circuit is not open after 5 failures")
	}
	calls := f.count(registry.NameDocument)
	for _, a := range accounts[5:] {
		e.submit(a.ID)
	}
	e.run()
	if f.count(registry.NameDocument) != calls || skipped.Load() != 5 {
		t.Errorf("with the circuit open: %d more calls, %d skipped; want 0 and 5", f.count(registry.NameDocument)-calls, skipped.Load())
	}
	down.Store(false)
	e.runFor(2*time.Hour, time.Minute)
	for _, a := range accounts {
		if _, last := e.profile(a.ID); last.State != proofing.SubmissionVerified {
			t.Errorf("account %s: %s %v", a.ID, last.State, states(last))
		}
	}
}

// TestRegistryOutage: the simulator is down for three hours; checks retry with backoff and
// finish soon after it is back.
func TestRegistryOutage(t *testing.T) {
	e := newEnv(t, registry.Registries{})
	sim, err := registry.NewSimulator(registry.SimulatorConfig{Permissive: true, Now: e.clk.Now,
		Outages: []registry.Window{{From: t0, To: t0.Add(3 * time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Registries = sim.Registries()
	var mu sync.Mutex
	outcomes := map[string]int{}
	e.svc.Observe = func(_, outcome string, _ time.Duration) {
		mu.Lock()
		outcomes[outcome]++
		mu.Unlock()
	}
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.runFor(3*time.Hour-time.Minute, time.Minute)
	if _, last := e.profile(a.ID); last.State != proofing.SubmissionChecking {
		t.Fatalf("during the outage the submission is %s", last.State)
	}
	_, last := e.profile(a.ID)
	for _, c := range last.Checks {
		if c.Calls < 5 || c.Calls > 40 || !strings.Contains(c.LastError, "outage") {
			t.Errorf("%s: %d calls, last error %q; want retries with backoff", c.Registry, c.Calls, c.LastError)
		}
	}
	e.runFor(90*time.Minute, time.Minute)
	p, last := e.profile(a.ID)
	if last.State != proofing.SubmissionVerified || p.INN.Verified == nil || *p.INN.Verified != "770123456703" {
		t.Fatalf("after the outage: %s %v, INN %v", last.State, states(last), p.INN.Verified)
	}
	if last.FinishedAt.After(t0.Add(3*time.Hour + time.Hour + time.Minute)) {
		t.Errorf("finished at %v, more than the backoff cap after the outage", last.FinishedAt)
	}
	if outcomes[proofing.OutcomeUnavailable] < 15 || outcomes[proofing.OutcomeVerified] != 3 {
		t.Errorf("observed outcomes %v", outcomes)
	}
}

// TestSimulatorVerdicts runs the real simulator's data: a known person passes, a known invalid
// passport fails with the registry's reason.
func TestSimulatorVerdicts(t *testing.T) {
	sim, err := registry.NewSimulator(registry.SimulatorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sim.Registries())
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	if _, last := e.profile(a.ID); last.State != proofing.SubmissionVerified {
		t.Errorf("Иванов: %s %v", last.State, states(last))
	}
	b := e.newAccount(account.Simplified)
	per := proofing.Personal{LastName: "Петрова", FirstName: "Анна", MiddleName: "Сергеевна", Gender: "F",
		BirthDate: "1990-07-21", BirthPlace: "г. Санкт-Петербург", Citizenship: "RUS"}
	doc := proofing.IDDocument{Type: proofing.RFPassport, Series: "4010", Number: "654321", IssueDate: "2010-08-10",
		Issuer: "ТП УФМС", DepartmentCode: "780-012"}
	e.fill(b.ID, proofing.Patch{Personal: &per, SNILS: ptr("123-456-789 64"), IDDoc: &doc})
	e.submit(b.ID)
	e.run()
	p, last := e.profile(b.ID)
	if last.State != proofing.SubmissionFailed || p.IDDoc.Failure == nil || p.IDDoc.Failure.Reason != registry.ReasonDocumentInvalid {
		t.Errorf("Петрова: %s %v %+v", last.State, states(last), p.IDDoc.Failure)
	}
}

// TestSNILSTaken: a SNILS verified on another account is refused at submission; the owner is
// warned (once a day), and learns nothing more; the claimant learns nothing about the owner.
func TestSNILSTaken(t *testing.T) {
	e := newEnv(t, newFake().registries())
	owner := e.newAccount(account.Simplified)
	e.fill(owner.ID, fullPatch())
	e.submit(owner.ID)
	e.run()

	claimant := e.newAccount(account.Simplified)
	e.fill(claimant.ID, fullPatch())
	_, err := e.svc.Submit(context.Background(), claimant.ID, proofing.Meta{})
	var pe *proofing.Error
	if !errors.As(err, &pe) || pe.Code != "snils_taken" || !strings.Contains(pe.Detail, "service center") ||
		strings.Contains(pe.Detail, owner.ID) {
		t.Fatalf("Submit = %v; want snils_taken pointing to recovery", err)
	}
	e.run()
	warned := func() int {
		n := 0
		for _, m := range e.sent.to(owner.Contacts[0].Value) {
			if strings.Contains(m.Body, "СНИЛС") {
				n++
			}
		}
		return n
	}
	if warned() != 1 {
		t.Errorf("the owner got %d warnings, want 1", warned())
	}
	if p, last := e.profile(claimant.ID); p.Checking() || last != nil {
		t.Errorf("the refused submission left state: checking %v, %v", p.Checking(), last)
	}
	e.svc.Submit(context.Background(), claimant.ID, proofing.Meta{})
	e.run()
	if warned() != 1 {
		t.Errorf("a second attempt within a day warned again (%d)", warned())
	}
	e.clk.Advance(25 * time.Hour)
	e.svc.Submit(context.Background(), claimant.ID, proofing.Meta{})
	e.run()
	if warned() != 2 {
		t.Errorf("an attempt a day later: %d warnings, want 2", warned())
	}
	if events, _ := e.db.AccountEvents(context.Background(), owner.ID, 100); !hasAction(events, proofing.ActionSNILSClaim) {
		t.Error("no audit event on the owner's account")
	}
}

// TestSNILSTakenRace: two accounts submit the same SNILS before either is verified; the first
// to pass gets it, the other fails with snils_taken.
func TestSNILSTakenRace(t *testing.T) {
	e := newEnv(t, newFake().registries())
	a, b := e.newAccount(account.Simplified), e.newAccount(account.Simplified)
	for _, x := range []*account.Account{a, b} {
		e.fill(x.ID, fullPatch())
		e.submit(x.ID)
	}
	e.run()
	_, la := e.profile(a.ID)
	pb, lb := e.profile(b.ID)
	if la.State == lb.State {
		t.Fatalf("both submissions ended %s", la.State)
	}
	loser, lost := pb, lb
	if lb.State == proofing.SubmissionVerified {
		loser, lost = nil, la
		loser, _ = e.profile(a.ID)
	}
	if lost.Reason != "snils_taken" || loser.SNILS.Failure == nil || loser.SNILS.Failure.Reason != "snils_taken" || loser.SNILS.Verified != nil {
		t.Errorf("the loser: reason %q, SNILS %+v", lost.Reason, loser.SNILS)
	}
}

func hasAction(events []*audit.Event, action string) bool {
	for _, e := range events {
		if e.Action == action {
			return true
		}
	}
	return false
}

// TestHandleBadPayload: an undecodable job fails for good.
func TestHandleBadPayload(t *testing.T) {
	e := newEnv(t, newFake().registries())
	err := e.svc.Handle(context.Background(), &jobs.Job{Payload: []byte("{")})
	if !errors.Is(err, jobs.ErrPermanent) {
		t.Errorf("Handle(bad payload) = %v, want a permanent error", err)
	}
	if err := e.svc.Handle(context.Background(), &jobs.Job{Payload: []byte(`{"check":"01a2043c-dbb0-7541-9435-47accb8e5b85","attempt":1}`)}); err != nil {
		t.Errorf("Handle(unknown check) = %v, want nil", err)
	}
}
