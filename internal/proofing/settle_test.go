package proofing_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/registry"
	"github.com/civis-id/civis/internal/store"
)

// racingStore is a proofing.Store that simulates the races of a submission's settlement:
// its look-up of a SNILS's owner misses the owner blind times (as if the owner's
// verification committed just after it), and the write promoting a pending SNILS fails
// with conflict conflicts times (nothing written). taken tells whether a write answered
// store.ErrTaken.
type racingStore struct {
	proofing.Store
	blind     atomic.Int32
	conflicts atomic.Int32
	conflict  error
	taken     atomic.Bool
}

func (s *racingStore) VerifiedSNILSOwner(ctx context.Context, snils string) (string, error) {
	if s.blind.Add(-1) >= 0 {
		return "", fmt.Errorf("look-up missed the owner: %w", store.ErrNotFound)
	}
	return s.Store.VerifiedSNILSOwner(ctx, snils)
}

func (s *racingStore) UpdateProfile(ctx context.Context, accountID string, fn func(*proofing.Profile) error) (*proofing.Profile, error) {
	p, err := s.Store.UpdateProfile(ctx, accountID, func(p *proofing.Profile) error {
		promoting := p.SNILS.Pending != nil
		if err := fn(p); err != nil {
			return err
		}
		if promoting && p.SNILS.Pending == nil && p.SNILS.Verified != nil && s.conflicts.Add(-1) >= 0 {
			return s.conflict
		}
		return nil
	})
	if errors.Is(err, store.ErrTaken) {
		s.taken.Store(true)
	}
	return p, err
}

// TestSettleSNILSTakenByIndex: when the owner's verification commits between the look-up
// and the promotion, the promotion hits the unique index (store.ErrTaken); the settlement's
// transaction rolls back as a whole (PostgreSQL aborts it at the violation, so nothing more
// can be written in it), and its next run fails the submission with snils_taken and warns
// the owner, on every engine, without asking the registry again.
func TestSettleSNILSTakenByIndex(t *testing.T) {
	for _, engine := range engines() {
		t.Run(engine, func(t *testing.T) {
			f := newFake()
			e := newEnvOn(t, openDB(t, engine), f.registries())
			owner := e.newAccount(account.Simplified)
			e.fill(owner.ID, fullPatch())
			e.submit(owner.ID)
			e.run()
			rs := &racingStore{Store: e.db}
			rs.blind.Store(2) // Submit's look-up and the settlement's
			e.svc.Store = rs
			claimant := e.newAccount(account.Simplified)
			e.fill(claimant.ID, fullPatch())
			e.submit(claimant.ID)
			e.run()
			if !rs.taken.Load() {
				t.Fatal("the promotion never hit the index")
			}
			p, last := e.profile(claimant.ID)
			if last.State != proofing.SubmissionFailed || last.Reason != "snils_taken" || p.SNILS.Verified != nil {
				t.Errorf("claimant: submission %s %q, verified SNILS %v; want failed snils_taken, none", last.State, last.Reason, p.SNILS.Verified)
			}
			if n := f.count(registry.NameSNILS); n != 2 {
				t.Errorf("the SNILS registry was called %d times, want 2 (once per account)", n)
			}
			if lvl := e.account(claimant.ID).Level; lvl != account.Simplified {
				t.Errorf("claimant level = %s, want simplified", lvl)
			}
			if op, _ := e.profile(owner.ID); op.SNILS.Verified == nil {
				t.Error("the owner lost the verified SNILS")
			}
			if n := snilsWarnings(e, owner); n != 1 {
				t.Errorf("the owner got %d warnings, want 1", n)
			}
		})
	}
}

// TestSettleConflictRetriesTransaction: another conflict at the promotion (a deadlock) is no
// SNILS taken: the settlement's transaction runs again with the answers already obtained, so
// the submission passes in the same job, reported once, and each registry is asked once.
func TestSettleConflictRetriesTransaction(t *testing.T) {
	f := newFake()
	e := newEnv(t, f.registries())
	rs := &racingStore{Store: e.db, conflict: fmt.Errorf("write profile: %w: 40P01", store.ErrConflict)}
	rs.conflicts.Store(1)
	e.svc.Store = rs
	a := e.newAccount(account.Simplified)
	e.fill(a.ID, fullPatch())
	e.submit(a.ID)
	e.run()
	if rs.conflicts.Load() > 0 {
		t.Fatal("the promotion never ran into the conflict")
	}
	if _, last := e.profile(a.ID); last.State != proofing.SubmissionVerified {
		t.Fatalf("after the conflict the submission is %s, want verified", last.State)
	}
	e.runFor(time.Minute, 5*time.Second) // no job is left to ask again
	assertOneResult(t, e, a)
	p, last := e.profile(a.ID)
	if last.Reason != "" || p.SNILS.Verified == nil {
		t.Errorf("submission reason %q, verified SNILS %v; want no reason, the SNILS", last.Reason, p.SNILS.Verified)
	}
	for _, c := range last.Checks {
		if n := f.count(c.Registry); n != 1 {
			t.Errorf("registry %s was called %d times, want 1", c.Registry, n)
		}
	}
}

// snilsWarnings counts the SNILS-claim warnings sent to acc's phone.
func snilsWarnings(e *env, acc *account.Account) int {
	e.run()
	n := 0
	for _, m := range e.sent.to(acc.Contacts[0].Value) {
		if strings.Contains(m.Body, "СНИЛС") {
			n++
		}
	}
	return n
}
