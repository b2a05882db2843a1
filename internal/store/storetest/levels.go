package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

// testRaiseLevel: RaiseLevel's rules, then raises of one account at once.
func testRaiseLevel(t *testing.T, db *sqlstore.DB) {
	t.Run("Rules", func(t *testing.T) { testRaiseLevelRules(t, db) })
	t.Run("Race", func(t *testing.T) { testRaiseLevelRace(t, db) })
}

// standardAccount creates an account and raises it to standard.
func standardAccount(t *testing.T, db *sqlstore.DB) *account.Account {
	t.Helper()
	a := createAccount(t, db)
	if err := db.RaiseLevel(ctx(t), a.ID, account.Simplified, account.Standard, "", at(time.Minute)); err != nil {
		t.Fatalf("RaiseLevel(simplified->standard) = %v", err)
	}
	return a
}

// testRaiseLevelRules: a raise records the method and time of a confirmation; a stale from
// is ErrLevelChanged, an unknown account ErrNotFound, and what is not a raise is refused;
// none of these changes the account.
func testRaiseLevelRules(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := standardAccount(t, db)
	if got, _ := db.GetAccount(c, a.ID); got.ConfirmationMethod != "" || !got.ConfirmedAt.IsZero() {
		t.Errorf("standard account: method %q, confirmed at %v; want none", got.ConfirmationMethod, got.ConfirmedAt)
	}
	bad := []struct {
		from, to account.Level
		method   string
	}{
		{account.Standard, account.Standard, ""}, {account.Confirmed, account.Standard, ""},
		{account.Standard, account.Confirmed, ""}, {account.Simplified, account.Standard, "bank"},
		{"", account.Confirmed, "bank"}, {account.Standard, "gold", "bank"},
	}
	for _, b := range bad {
		err := db.RaiseLevel(c, a.ID, b.from, b.to, b.method, at(time.Hour))
		if err == nil || errors.Is(err, account.ErrLevelChanged) {
			t.Errorf("RaiseLevel(%q -> %q, %q) = %v; want refused as no raise", b.from, b.to, b.method, err)
		}
	}
	if err := db.RaiseLevel(c, newID(), account.Standard, account.Confirmed, "bank", at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RaiseLevel(unknown account) = %v; want ErrNotFound", err)
	}
	if err := db.RaiseLevel(c, a.ID, account.Standard, account.Confirmed, "in_person", at(time.Hour)); err != nil {
		t.Fatalf("RaiseLevel(standard->confirmed) = %v", err)
	}
	if err := db.RaiseLevel(c, a.ID, account.Standard, account.Confirmed, "bank", at(2*time.Hour)); !errors.Is(err, account.ErrLevelChanged) {
		t.Errorf("RaiseLevel from a stale level = %v; want ErrLevelChanged", err)
	}
	got, err := db.GetAccount(c, a.ID)
	if err != nil || got.Level != account.Confirmed || got.ConfirmationMethod != "in_person" ||
		!got.ConfirmedAt.Equal(at(time.Hour)) || !got.UpdatedAt.Equal(at(time.Hour)) {
		t.Errorf("confirmed account = %+v, %v; want confirmed in_person at %v", got, err, at(time.Hour))
	}
}

// testRaiseLevelRace: paths that saw one account at standard confirm it at once, each in its
// own transaction, with different methods: exactly one succeeds, the others get
// ErrLevelChanged, and the account holds the winner's method and time.
func testRaiseLevelRace(t *testing.T, db *sqlstore.DB) {
	methods := []string{"in_person", "mail_code", "e_signature", "bank"}
	for round := range 10 {
		a := standardAccount(t, db)
		errs := raiseAtOnce(ctx(t), db, a.ID, methods)
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner < 0:
				winner = i
			case err == nil:
				t.Fatalf("round %d: both %s and %s confirmed the account", round, methods[winner], methods[i])
			case !errors.Is(err, account.ErrLevelChanged):
				t.Fatalf("round %d: %s: %v; want ErrLevelChanged", round, methods[i], err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no raise succeeded: %v", round, errs)
		}
		got, err := db.GetAccount(ctx(t), a.ID)
		if err != nil || got.Level != account.Confirmed || got.ConfirmationMethod != methods[winner] ||
			!got.ConfirmedAt.Equal(raiseTime(winner)) {
			t.Errorf("round %d: account = %+v, %v; want confirmed by the winner %s at %v", round, got, err,
				methods[winner], raiseTime(winner))
		}
	}
}

// raiseAtOnce confirms the account from standard with each method in its own goroutine and
// transaction, all released together; a transaction holds its row a moment after its raise,
// so that the others run into it.
func raiseAtOnce(c context.Context, db *sqlstore.DB, accountID string, methods []string) []error {
	errs := make([]error, len(methods))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, m := range methods {
		wg.Go(func() {
			<-start
			errs[i] = db.InTx(c, func(ctx context.Context) error {
				if err := db.RaiseLevel(ctx, accountID, account.Standard, account.Confirmed, m, raiseTime(i)); err != nil {
					return err
				}
				time.Sleep(5 * time.Millisecond)
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// raiseTime is the time the i-th racer confirms at.
func raiseTime(i int) time.Time { return at(time.Hour + time.Duration(i)*time.Second) }
