package operator_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/partner"
	"github.com/civis-id/civis/internal/staff"
)

// The three ways of confirming an account that exist, by the method each records.
var confirmMethods = []string{operator.MethodInPerson, partner.Method, letters.Method}

// conflictCode is how each way answers an account that another way confirmed first.
var conflictCode = map[string]string{
	operator.MethodInPerson: operator.CodeAccountConfirmed, // operator API and workstation: 409
	partner.Method:          partner.CodeConfirmed,         // partner API: 409 problem
	letters.Method:          "already_confirmed",           // the citizen's letter page and API
}

// TestConfirmRace: for each pair of ways, one confirms a standard account and the other, which
// read the account at standard just before, confirms it next. The second gets its "already
// confirmed" answer; the account keeps the first way's method, the citizen gets one notice,
// and the audit log holds one confirmation.
func TestConfirmRace(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			r := newRacer(t, apptest.New(t, apptest.WithDB(engine)))
			i := 40
			for _, first := range confirmMethods {
				for _, second := range confirmMethods {
					if first == second {
						continue
					}
					t.Run(first+" then "+second, func(t *testing.T) {
						i++
						acc, in, code := r.prepare(t, i)
						if got := r.confirm(first, acc, in, code); got != "ok" {
							t.Fatalf("%s confirm = %s, want ok", first, got)
						}
						r.stale(acc.ID, func() {
							if got := r.confirm(second, acc, in, code); got != conflictCode[second] {
								t.Errorf("%s confirm after %s = %s, want %s", second, first, got, conflictCode[second])
							}
						})
						r.checkOnce(t, acc.ID, in.Phone, first)
					})
				}
			}
		})
	}
}

// TestConfirmConcurrent: the three ways confirm one standard account at the same moment;
// exactly one succeeds, and the account, the notices and the audit log are that one's.
func TestConfirmConcurrent(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			r := newRacer(t, apptest.New(t, apptest.WithDB(engine)))
			for round := range 3 {
				acc, in, code := r.prepare(t, 60+round)
				answers := make([]string, len(confirmMethods))
				var wg sync.WaitGroup
				for k, m := range confirmMethods {
					wg.Go(func() { answers[k] = r.confirm(m, acc, in, code) })
				}
				wg.Wait()
				winner := ""
				for k, m := range confirmMethods {
					switch {
					case answers[k] == "ok" && winner == "":
						winner = m
					case answers[k] != conflictCode[m]:
						t.Errorf("round %d: %s answered %s (answers %v)", round, m, answers[k], answers)
					}
				}
				if winner == "" {
					t.Fatalf("round %d: no way confirmed the account: %v", round, answers)
				}
				r.checkOnce(t, acc.ID, in.Phone, winner)
			}
		})
	}
}

// racer confirms accounts in each of the three ways on one node.
type racer struct {
	env *apptest.Env
	op  operator.Actor
	seq int
	mu  sync.Mutex
}

func newRacer(t *testing.T, env *apptest.Env) *racer {
	return &racer{env: env, op: newOperator(t, env, centerA, staff.Operator)}
}

// prepare makes the i-th citizen's standard account and sends it a letter; it returns the
// account, the citizen's data and the letter's code.
func (r *racer) prepare(t *testing.T, i int) (*account.Account, operator.RegisterInput, string) {
	t.Helper()
	acc, in := standardAccount(t, r.env, i)
	l, err := r.env.App.Letters.Order(ctx, acc.ID, letters.Address{Postcode: "101000", Region: "г. Москва",
		City: "Москва", Street: "ул. Тверская", House: "1", Flat: "5"}, letters.Meta{})
	if err != nil {
		t.Fatalf("order a letter: %v", err)
	}
	code := ""
	_, err = r.env.App.Letters.Batch(ctx, letters.BatchOptions{}, func(b *letters.Batch) error {
		for _, p := range b.Letters {
			if p.ID == l.ID {
				code = p.Code
			}
		}
		return nil
	})
	if err != nil || code == "" {
		t.Fatalf("print the letter: code %q, %v", code, err)
	}
	return acc, in, code
}

// confirm confirms acc in the way of method and returns the answer's code: "ok" on success,
// the refusal's code, or "error: ..." for anything else.
func (r *racer) confirm(method string, acc *account.Account, in operator.RegisterInput, code string) string {
	r.mu.Lock()
	r.seq++
	requestID := fmt.Sprintf("race-%d", r.seq)
	r.mu.Unlock()
	switch method {
	case operator.MethodInPerson:
		return answer(r.env.App.Operator.Confirm(ctx, r.op, requestID, acc.ID, in.Passport.Number))
	case partner.Method:
		p := partner.Person{SNILS: in.SNILS, LastName: in.LastName, FirstName: in.FirstName, MiddleName: in.MiddleName,
			BirthDate: in.BirthDate, PassportSeries: in.Passport.Series, PassportNumber: in.Passport.Number}
		return answer(r.env.App.Partner.Confirm(ctx, partner.Bank{ID: "bank-race", Name: "Банк Пример"}, requestID, p))
	}
	err := r.env.App.Letters.Confirm(ctx, acc.ID, code, letters.Meta{IP: "192.0.2.1"})
	var fe *flow.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case err != nil:
		return "error: " + err.Error()
	}
	return "ok"
}

// answer is the code of a ledger request's answer, as confirm returns it.
func answer(req *ledger.Request, _ bool, err error) string {
	var rej *ledger.Rejection
	switch {
	case errors.As(err, &rej):
		return rej.Code
	case err != nil:
		return "error: " + err.Error()
	case req.State == ledger.Rejected:
		return req.Code
	}
	return "ok"
}

// stale runs fn with every way reading the account id at standard, as a way that read it just
// before another way confirmed it: only the store's conditional raise can stop it.
func (r *racer) stale(id string, fn func()) {
	a := r.env.App
	op, bank, mail := a.Operator.Accounts, a.Partner.Accounts, a.Letters.Accounts
	a.Operator.Accounts, a.Partner.Accounts, a.Letters.Accounts =
		staleAccounts{op, id}, staleAccounts{bank, id}, staleAccounts{mail, id}
	defer func() { a.Operator.Accounts, a.Partner.Accounts, a.Letters.Accounts = op, bank, mail }()
	fn()
}

// checkOnce checks that the account was confirmed once, by method: its level and method,
// one notice to the citizen and one confirmation in the audit log.
func (r *racer) checkOnce(t *testing.T, id, phone, method string) {
	t.Helper()
	if got := getAccount(t, r.env, id); got.Level != account.Confirmed || got.ConfirmationMethod != method {
		t.Errorf("account: %s by %q, want confirmed by %s", got.Level, got.ConfirmationMethod, method)
	}
	notices := 0
	for _, body := range smsTo(r.env, phone) {
		if strings.Contains(body, "подтверждённая") {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d confirmation notices, want 1", notices)
	}
	if n := confirmEvents(t, r.env, id); n != 1 {
		t.Errorf("%d confirmations in the audit log, want 1", n)
	}
}

// confirmEvents counts the audit events that tell of the account's confirmation.
func confirmEvents(t *testing.T, env *apptest.Env, id string) int {
	t.Helper()
	evs, err := env.App.DB.AccountEvents(ctx, id, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == operator.ActionConfirmed || (e.Action == partner.ActionLevelRaised && e.Details["to"] == "confirmed") {
			n++
		}
	}
	return n
}

// staleAccounts is the account store as seen by a way that read one account before another
// way confirmed it: that account reads as standard.
type staleAccounts struct {
	account.Store
	id string
}

func (s staleAccounts) GetAccount(ctx context.Context, id string) (*account.Account, error) {
	return s.stale(s.Store.GetAccount(ctx, id))
}

func (s staleAccounts) FindBySNILS(ctx context.Context, snils string) (*account.Account, error) {
	return s.stale(s.Store.FindBySNILS(ctx, snils))
}

func (s staleAccounts) stale(a *account.Account, err error) (*account.Account, error) {
	if err != nil || a.ID != s.id {
		return a, err
	}
	old := *a
	old.Level, old.ConfirmationMethod, old.ConfirmedAt = account.Standard, "", time.Time{}
	return &old, nil
}
