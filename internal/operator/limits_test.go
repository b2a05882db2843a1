package operator_test

import (
	"errors"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/staff"
)

// limitedService is the node's operator service with its own limits and a limiter whose
// clock the test moves (*now).
func limitedService(env *apptest.Env, limits operator.Limits) (*operator.Service, *time.Time) {
	now := time.Now()
	svc := *env.App.Operator
	svc.Limiter = &ratelimit.Limiter{Store: env.App.DB, Now: func() time.Time { return now }}
	svc.Config.Limits = limits
	return &svc, &now
}

// rateLimited returns the wait of flow's rate_limited error in err (0: not rate-limited).
func rateLimited(err error) time.Duration {
	var fe *flow.Error
	if errors.As(err, &fe) && fe.Code == "rate_limited" {
		return fe.RetryAfter
	}
	return 0
}

// TestRegisterLimitPerCenter: past the registrations one center may make in the window, a
// registration fails with rate_limited: no account, no message, the ledger records it as
// failed, another center is not affected, and the same request id acts after the window.
func TestRegisterLimitPerCenter(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			limits := operator.DefaultLimits()
			limits.SendPerCenter.Max = 2
			svc, now := limitedService(env, limits)
			op := newOperator(t, env, centerA, staff.Operator)
			for i, id := range []string{"lim-1", "lim-2"} {
				if req, _, err := svc.Register(ctx, op, id, citizen(50+i, operator.ActivationPassword)); err != nil || req.State != ledger.Done {
					t.Fatalf("registration %d: %+v, %v", i+1, req, err)
				}
			}
			req, _, err := svc.Register(ctx, op, "lim-3", citizen(52, operator.ActivationPassword))
			var f *ledger.Failure
			if wait := rateLimited(err); wait <= 0 || wait > time.Hour || !errors.As(err, &f) || f.Status != 429 {
				t.Fatalf("registration past the limit: %+v, %v; want rate_limited with a wait", req, err)
			}
			if r, err := env.App.Ledger.Get(ctx, op.ClientID, "lim-3"); err != nil || r.State != ledger.Failed ||
				r.Code != "rate_limited" || r.Status != 429 {
				t.Errorf("ledger entry = %+v, %v; want failed rate_limited 429", r, err)
			}
			dup := citizen(50, operator.ActivationPassword) // registered above
			dup.Phone = "+79167770998"
			if req, _, err := svc.Register(ctx, op, "lim-dup", dup); refusal(t, req, err) != operator.CodeAccountConfirmed {
				t.Errorf("a registered citizen past the limit: %+v, %v; want account_confirmed, not rate_limited", req, err)
			}
			// Enroll (the banks' way in) counts inside its transaction, with no look before.
			_, err = svc.Enroll(ctx, operator.Enrollment{RegisterInput: citizen(52, operator.ActivationLink),
				Method: operator.MethodInPerson, CenterID: centerA, OperatorID: op.OperatorID, RequestID: "e-1"})
			if rateLimited(err) == 0 || !errors.As(err, &f) {
				t.Errorf("Enroll past the limit: %v, want a ledger failure rate_limited", err)
			}
			in := citizen(52, operator.ActivationPassword)
			if ids, _ := env.App.DB.FindAccounts(ctx, operator.ByPhone, in.Phone); len(ids) != 0 {
				t.Errorf("the refused registration made accounts %v", ids)
			}
			if msgs := smsTo(env, in.Phone); len(msgs) != 0 {
				t.Errorf("the refused registration sent %q", msgs)
			}
			other := newOperator(t, env, centerB, staff.Operator)
			if req, _, err := svc.Register(ctx, other, "b-1", citizen(53, "")); err != nil || req.State != ledger.Done {
				t.Errorf("another center: %+v, %v; want it to register", req, err)
			}
			*now = now.Add(time.Hour)
			req, replayed, err := svc.Register(ctx, op, "lim-3", in)
			if err != nil || replayed || req.State != ledger.Done {
				t.Fatalf("the same request after the window: %+v, %v, %v; want it to act", req, replayed, err)
			}
			if msgs := smsTo(env, in.Phone); len(msgs) != 1 || tempPassword(msgs[0]) == "" {
				t.Errorf("messages after the window = %q, want one temporary password", msgs)
			}
		})
	}
}

// TestRegisterLimitPerTarget: a phone that got its share of first-password messages in the
// window gets no more, whoever registers.
func TestRegisterLimitPerTarget(t *testing.T) {
	env := apptest.New(t)
	limits := operator.DefaultLimits()
	limits.SendPerTarget.Max = 1
	svc, _ := limitedService(env, limits)
	op := newOperator(t, env, centerA, staff.Operator)
	in := citizen(60, operator.ActivationLink)
	if _, err := svc.Limiter.Hit(ctx, limits.SendPerTarget, env.App.Keys.BlindIndex("rl:phone", in.Phone)); err != nil {
		t.Fatal(err) // one message to the phone this hour already
	}
	if _, _, err := svc.Register(ctx, op, "t-1", in); rateLimited(err) == 0 {
		t.Fatalf("a registration to the phone: %v, want rate_limited", err)
	}
	in.Phone = "+79167779999"
	if req, _, err := svc.Register(ctx, op, "t-2", in); err != nil || req.State != ledger.Done {
		t.Errorf("the same citizen with another phone: %+v, %v", req, err)
	}
}

// TestSearchLimits: searches and existence checks count per operator and per client at the
// center; past either limit they fail with rate_limited until the window ends.
func TestSearchLimits(t *testing.T) {
	env := apptest.New(t)
	limits := operator.DefaultLimits()
	limits.SearchPerOperator.Max, limits.SearchPerClient.Max = 3, 5
	svc, now := limitedService(env, limits)
	op := newOperator(t, env, centerA, staff.Operator)
	q := operator.Query{SNILS: snils(70)}
	search := func(a operator.Actor) error {
		_, err := svc.Find(ctx, a, q)
		return err
	}
	for i := range 2 {
		if err := search(op); err != nil {
			t.Fatalf("search %d: %v", i+1, err)
		}
	}
	if _, _, err := svc.Exists(ctx, op, q); err != nil {
		t.Fatalf("existence check: %v", err)
	}
	err := search(op)
	if wait := rateLimited(err); wait <= 0 || wait > time.Minute {
		t.Fatalf("fourth search by the operator: %v, want rate_limited within a minute", err)
	}
	if _, _, err := svc.Exists(ctx, op, q); rateLimited(err) == 0 {
		t.Errorf("existence check past the limit: %v, want rate_limited", err)
	}
	colleague := newOperator(t, env, centerA, staff.Operator)
	for i := range 2 { // the client at the center has made 3 counted searches, the limit is 5
		if err := search(colleague); err != nil {
			t.Fatalf("colleague's search %d: %v", i+1, err)
		}
	}
	if err := search(colleague); rateLimited(err) == 0 {
		t.Errorf("a search past the client's limit: %v, want rate_limited", err)
	}
	api := newOperator(t, env, centerA, staff.Operator)
	api.ClientID = "mfc-system"
	if err := search(api); err != nil {
		t.Errorf("the same center through its own system: %v, want its own limit", err)
	}
	*now = now.Add(time.Minute)
	if err := search(op); err != nil {
		t.Errorf("a search after the window: %v", err)
	}
}
