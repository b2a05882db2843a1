package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func newLetter(accountID string, ordered time.Time) *letters.Letter {
	return &letters.Letter{ID: newID(), AccountID: accountID, State: letters.Ordered, Recipient: "Иванов Иван Иванович",
		Address: letters.Address{Postcode: "101000", Region: "Москва", City: "Москва", Street: "ул. Тверская",
			House: "1", Flat: "5"}, OrderedAt: ordered}
}

// testLetters: a letter round-trips with its sealed address and UTC times; lists are ordered;
// updates bump the version and lose races with ErrConflict.
func testLetters(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a, b := createAccount(t, db), createAccount(t, db)
	first, second, other := newLetter(a.ID, at(0)), newLetter(a.ID, at(time.Hour)), newLetter(b.ID, at(time.Minute))
	for _, l := range []*letters.Letter{first, second, other} {
		if err := db.CreateLetter(c, l); err != nil || l.Version != 1 {
			t.Fatalf("CreateLetter: %v (version %d)", err, l.Version)
		}
	}
	got, err := db.GetLetter(c, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, got); diff != "" {
		t.Errorf("GetLetter round trip (-want +got):\n%s", diff)
	}
	if got.OrderedAt.Location() != time.UTC {
		t.Errorf("OrderedAt location %v, want UTC", got.OrderedAt.Location())
	}
	if _, err := db.GetLetter(c, newID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetLetter(unknown) err = %v, want ErrNotFound", err)
	}
	if err := db.CreateLetter(c, first); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateLetter(same id) err = %v, want ErrConflict", err)
	}
	list, err := db.AccountLetters(c, a.ID, 10)
	if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
		t.Errorf("AccountLetters = %v, %v; want second, first", ids(list), err)
	}
	if list, _ := db.AccountLetters(c, a.ID, 1); len(list) != 1 || list[0].ID != second.ID {
		t.Errorf("AccountLetters(limit 1) = %v, want the newest", ids(list))
	}
	if list, err := db.OrderedLetters(c, 10); err != nil || !cmp.Equal(ids(list), []string{first.ID, other.ID, second.ID}) {
		t.Errorf("OrderedLetters = %v, %v; want oldest first", ids(list), err)
	}

	stale := *got
	got.State, got.CodeHash, got.BatchID = letters.Sent, "hash", "batch"
	got.BatchedAt, got.SentAt, got.ExpiresAt = at(2*time.Hour), at(2*time.Hour), at(720*time.Hour)
	got.TrackingNumber, got.RemindedAt = "RA123456789RU", at(3*time.Hour)
	if err := db.UpdateLetter(c, got); err != nil || got.Version != 2 {
		t.Fatalf("UpdateLetter: %v (version %d)", err, got.Version)
	}
	if err := db.UpdateLetter(c, &stale); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UpdateLetter(stale) err = %v, want ErrConflict", err)
	}
	again, _ := db.GetLetter(c, first.ID)
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("after UpdateLetter (-want +got):\n%s", diff)
	}
	if list, _ := db.OrderedLetters(c, 10); len(list) != 2 {
		t.Errorf("OrderedLetters after sending one = %v, want 2", ids(list))
	}
	if err := db.LockAccountLetters(c, newID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LockAccountLetters(unknown) err = %v, want ErrNotFound", err)
	}

	// Erasing a deleted account's data takes its letters too; deletion alone keeps them.
	if ok, err := db.MarkDeleted(c, b.ID, at(0)); err != nil || !ok {
		t.Fatalf("MarkDeleted: %v, %v", ok, err)
	}
	if _, err := db.GetLetter(c, other.ID); err != nil {
		t.Errorf("the deleted (not yet erased) account's letter is gone before erasure: %v", err)
	}
	if ok, err := db.EraseAccount(c, b.ID, at(0), at(time.Hour)); err != nil || !ok {
		t.Fatalf("EraseAccount: %v, %v", ok, err)
	}
	if _, err := db.GetLetter(c, other.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the erased account's letter is still there: %v", err)
	}
	if list, _ := db.AccountLetters(c, a.ID, 10); len(list) != 2 {
		t.Errorf("other letters after the cleanup: %v", ids(list))
	}
}

// testLettersConcurrent: two transactions that lock one account's letters run one after
// the other, so a count taken under the lock is exact.
func testLettersConcurrent(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := createAccount(t, db)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			errs[i] = db.InTx(c, func(ctx context.Context) error {
				if err := db.LockAccountLetters(ctx, a.ID); err != nil {
					return err
				}
				list, err := db.AccountLetters(ctx, a.ID, 10)
				if err != nil {
					return err
				}
				if len(list) > 0 {
					return errors.New("already ordered")
				}
				return db.CreateLetter(ctx, newLetter(a.ID, at(time.Duration(i)*time.Second)))
			})
		})
	}
	wg.Wait()
	list, err := db.AccountLetters(c, a.ID, 10)
	if err != nil || len(list) != 1 {
		t.Errorf("letters after 4 concurrent orders = %d, %v (errors %v); want 1", len(list), err, errs)
	}
}

// testAccountStandings: the state and level of many accounts come in one call, unknown ids
// are left out, and lists longer than one query's share are split.
func testAccountStandings(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a, b, gone := createAccount(t, db), createAccount(t, db), createAccount(t, db)
	if err := db.SetLevel(c, b.ID, account.Standard, "", at(0)); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.MarkDeleted(c, gone.ID, at(0)); err != nil || !ok {
		t.Fatalf("MarkDeleted: %v, %v", ok, err)
	}
	want := map[string]letters.Standing{a.ID: {State: account.Active, Level: account.Simplified},
		b.ID: {State: account.Active, Level: account.Standard}, gone.ID: {State: account.Deleted, Level: account.Simplified}}
	got, err := db.AccountStandings(c, []string{a.ID, newID(), b.ID, gone.ID, a.ID})
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("AccountStandings = %v, %v; want %v", got, err, want)
	}
	many := []string{b.ID}
	for range 1100 {
		many = append(many, newID())
	}
	many = append(many, gone.ID, a.ID)
	if got, err := db.AccountStandings(c, many); err != nil || !cmp.Equal(got, want) {
		t.Errorf("AccountStandings(%d ids) = %v, %v; want %v", len(many), got, err, want)
	}
	if got, err := db.AccountStandings(c, nil); err != nil || len(got) != 0 {
		t.Errorf("AccountStandings(none) = %v, %v", got, err)
	}
}

func ids(list []*letters.Letter) []string {
	out := []string{}
	for _, l := range list {
		out = append(out, l.ID)
	}
	return out
}
