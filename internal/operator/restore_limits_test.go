package operator_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/staff"
)

// TestRestoreLimitPerCenter: restorations count with registrations under the center's limit;
// past it a restoration fails with rate_limited before any hash: nothing changes, nothing is
// sent, the ledger records it as failed, refusals are still answered as such, another center
// is not affected, and the same request id acts after the window.
func TestRestoreLimitPerCenter(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			limits := operator.DefaultLimits()
			limits.SendPerCenter.Max = 2
			svc, now := limitedService(env, limits)
			op := newOperator(t, env, centerA, staff.Operator)
			if req, _, err := svc.Register(ctx, op, "reg-1", citizen(80, operator.ActivationPassword)); err != nil || req.State != ledger.Done {
				t.Fatalf("registration: %+v, %v", req, err)
			}
			first, _ := standardAccount(t, env, 81)
			if req, _, err := svc.Restore(ctx, op, "res-1", operator.RestoreInput{AccountID: first.ID, TempPassword: true}); err != nil || req.State != ledger.Done {
				t.Fatalf("first restoration: %+v, %v", req, err)
			}
			acc, in := standardAccount(t, env, 82)
			if _, _, err := env.App.Sessions.Create(ctx, acc.ID, []string{"pwd"}, sessionMeta); err != nil {
				t.Fatal(err)
			}
			restore := operator.RestoreInput{AccountID: acc.ID, TempPassword: true}
			noHash := *svc // a hash fails: a request refused before hashing never notices
			noHash.Hasher = credential.NewHasher(credential.Params{}, 1)
			req, _, err := noHash.Restore(ctx, op, "res-2", restore)
			var f *ledger.Failure
			if wait := rateLimited(err); wait <= 0 || wait > time.Hour || !errors.As(err, &f) || f.Status != 429 {
				t.Fatalf("restoration past the limit: %+v, %v; want rate_limited with a wait, before any hash", req, err)
			}
			if r, err := env.App.Ledger.Get(ctx, op.ClientID, "res-2"); err != nil || r.State != ledger.Failed ||
				r.Code != "rate_limited" || r.Status != 429 {
				t.Errorf("ledger entry = %+v, %v; want failed rate_limited 429", r, err)
			}
			assertUntouched(t, env, acc.ID, in.Phone)
			checkRefusalsFirst(t, env, svc, op)
			other := newOperator(t, env, centerB, staff.Operator)
			if req, _, err := svc.Restore(ctx, other, "b-1", operator.RestoreInput{AccountID: first.ID, TempPassword: true}); err != nil || req.State != ledger.Done {
				t.Errorf("another center: %+v, %v; want it to restore", req, err)
			}
			*now = now.Add(time.Hour)
			req, replayed, err := svc.Restore(ctx, op, "res-2", restore)
			if err != nil || replayed || req.State != ledger.Done {
				t.Fatalf("the same request after the window: %+v, %v, %v; want it to act", req, replayed, err)
			}
			if n := temporaryPasswords(env, in.Phone); n != 1 {
				t.Errorf("%d temporary passwords after the window, want 1", n)
			}
		})
	}
}

// assertUntouched checks that a refused restoration changed nothing: the session lives, the
// password is not a temporary one, and the phone got no message.
func assertUntouched(t *testing.T, env *apptest.Env, accountID, phone string) {
	t.Helper()
	if ss, _ := env.App.DB.AccountSessions(ctx, accountID); len(ss) != 1 {
		t.Errorf("%d sessions after the refused restoration, want 1", len(ss))
	}
	if pw, err := env.App.DB.GetPassword(ctx, accountID); err != nil || pw.MustChange {
		t.Errorf("password after the refused restoration: must change %v, %v", pw.MustChange, err)
	}
	if msgs := smsTo(env, phone); len(msgs) != 0 {
		t.Errorf("the refused restoration sent %q", msgs)
	}
}

// temporaryPasswords counts the messages with a temporary password sent to phone.
func temporaryPasswords(env *apptest.Env, phone string) int {
	n := 0
	for _, m := range smsTo(env, phone) {
		if tempPassword(m) != "" {
			n++
		}
	}
	return n
}

// checkRefusalsFirst: past the center's limit, a restoration that would be refused anyway is
// answered with its refusal (not_standard, a contact of another account), not rate_limited.
func checkRefusalsFirst(t *testing.T, env *apptest.Env, svc *operator.Service, op operator.Actor) {
	t.Helper()
	simple := newAccount(t, env, "+79160008801")
	req, _, err := svc.Restore(ctx, op, "ref-1", operator.RestoreInput{AccountID: simple.ID, TempPassword: true})
	if code := refusal(t, req, err); code != operator.CodeNotStandard {
		t.Errorf("a simplified account past the limit: %s, want not_standard", code)
	}
	acc, _ := standardAccount(t, env, 83)
	req, _, err = svc.Restore(ctx, op, "ref-2", operator.RestoreInput{AccountID: acc.ID, NewPhone: "+79160008801"})
	if code := refusal(t, req, err); code != operator.CodeValidationFailed {
		t.Errorf("another account's phone past the limit: %s, want validation_failed", code)
	}
}

// TestRestoreLimitPerTarget: a restoration counts the phones it messages for the citizen
// under the registrations' per-target limit, together with the registrations: where the
// temporary password goes (after the rebinding) and the new contacts, not the old contact
// told of the change.
func TestRestoreLimitPerTarget(t *testing.T) {
	env := apptest.New(t)
	limits := operator.DefaultLimits()
	limits.SendPerTarget.Max = 1
	svc, now := limitedService(env, limits)
	op := newOperator(t, env, centerA, staff.Operator)
	in := citizen(90, operator.ActivationPassword)
	if req, _, err := svc.Register(ctx, op, "t-1", in); err != nil || req.State != ledger.Done {
		t.Fatalf("registration: %+v, %v", req, err)
	}
	env.Deliver() // the registry checks verify the data: the account can be restored
	ids, err := env.App.DB.FindAccounts(ctx, operator.ByPhone, in.Phone)
	if err != nil || len(ids) != 1 {
		t.Fatalf("registered accounts %v, %v", ids, err)
	}
	pw := operator.RestoreInput{AccountID: ids[0], TempPassword: true}
	if _, _, err := svc.Restore(ctx, op, "t-2", pw); rateLimited(err) == 0 {
		t.Fatalf("a temporary password to the phone the first password went to: %v, want rate_limited", err)
	}
	newPhone := "+79160009902"
	req, _, err := svc.Restore(ctx, op, "t-3", operator.RestoreInput{AccountID: ids[0], TempPassword: true, NewPhone: newPhone})
	if err != nil || req.State != ledger.Done {
		t.Fatalf("a new phone with the password (the old phone only told): %+v, %v; want it to act", req, err)
	}
	if c, _ := getAccount(t, env, ids[0]).Contact(account.Phone); c.Value != newPhone {
		t.Errorf("phone = %q, want %q", c.Value, newPhone)
	}
	if old := smsTo(env, in.Phone); len(old) != 2 {
		t.Errorf("the old phone got %q, want the first password and the rebinding notice", old)
	}
	if _, _, err := svc.Restore(ctx, op, "t-4", pw); rateLimited(err) == 0 {
		t.Errorf("a second temporary password to the new phone: %v, want rate_limited", err)
	}
	*now = now.Add(time.Hour)
	if req, _, err := svc.Restore(ctx, op, "t-4", pw); err != nil || req.State != ledger.Done {
		t.Errorf("the same request after the window: %+v, %v; want it to act", req, err)
	}
}

// blindCounts is a rate-limit store whose look (Count) sees no events: the look before the
// hash misses a concurrent request, so the count inside the transaction decides.
type blindCounts struct{ ratelimit.Store }

func (blindCounts) Count(context.Context, string, time.Time) (int, error) { return 0, nil }

// TestRestoreLimitCountedInTransaction: when the look before the hash misses, the count in
// the ledger's transaction still refuses, and the refusal rolls back every change.
func TestRestoreLimitCountedInTransaction(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			limits := operator.DefaultLimits()
			limits.SendPerCenter.Max = 1
			svc, _ := limitedService(env, limits)
			svc.Limiter.Store = blindCounts{svc.Limiter.Store}
			op := newOperator(t, env, centerA, staff.Operator)
			first, _ := standardAccount(t, env, 95)
			if req, _, err := svc.Restore(ctx, op, "c-1", operator.RestoreInput{AccountID: first.ID, TempPassword: true}); err != nil || req.State != ledger.Done {
				t.Fatalf("first restoration: %+v, %v", req, err)
			}
			acc, in := standardAccount(t, env, 96)
			if _, _, err := env.App.Sessions.Create(ctx, acc.ID, []string{"pwd"}, sessionMeta); err != nil {
				t.Fatal(err)
			}
			newPhone := "+79160009603"
			_, _, err := svc.Restore(ctx, op, "c-2", operator.RestoreInput{AccountID: acc.ID, TempPassword: true, NewPhone: newPhone})
			var f *ledger.Failure
			if rateLimited(err) == 0 || !errors.As(err, &f) {
				t.Fatalf("restoration past the limit: %v, want a ledger failure rate_limited", err)
			}
			assertUntouched(t, env, acc.ID, in.Phone)
			if c, _ := getAccount(t, env, acc.ID).Contact(account.Phone); c.Value != in.Phone {
				t.Errorf("phone after the refused restoration = %q, want %q", c.Value, in.Phone)
			}
			if msgs := smsTo(env, newPhone); len(msgs) != 0 {
				t.Errorf("the refused restoration sent %q to the new phone", msgs)
			}
		})
	}
}
