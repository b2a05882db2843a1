package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func testStaff(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a, b := createAccount(t, db), createAccount(t, db)
	svc := &staff.Service{Store: db, Now: func() time.Time { return at(0) }}
	admin, err := svc.Assign(c, nil, a.ID, "mfc-1", staff.CenterAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Assign(c, admin, b.ID, "mfc-2", staff.Operator); !errors.Is(err, staff.ErrForbidden) {
		t.Errorf("a center_admin assigning at another center: %v, want ErrForbidden", err)
	}
	if _, err := svc.Assign(c, admin, b.ID, "mfc-1", staff.CenterAdmin); !errors.Is(err, staff.ErrForbidden) {
		t.Errorf("a center_admin making another admin: %v, want ErrForbidden", err)
	}
	if _, err := svc.Assign(c, admin, b.ID, "mfc-1", staff.Operator); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(c, b.ID)
	if err != nil || got.CenterID != "mfc-1" || got.Role != staff.Operator || got.CreatedBy != a.ID || !got.CreatedAt.Equal(at(0)) {
		t.Errorf("Get = %+v, %v", got, err)
	}
	if list, _ := svc.List(c, "mfc-1"); len(list) != 2 {
		t.Errorf("List = %+v, want two members", list)
	}
	if _, err := svc.Assign(c, nil, b.ID, "mfc-2", staff.Operator); err != nil { // the admin moves b
		t.Fatal(err)
	}
	if err := svc.Remove(c, admin, b.ID); !errors.Is(err, staff.ErrForbidden) {
		t.Errorf("removing another center's operator: %v, want ErrForbidden", err)
	}
	if err := svc.Remove(c, nil, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(c, b.ID); !errors.Is(err, staff.ErrNotStaff) {
		t.Errorf("Get after Remove: %v, want ErrNotStaff", err)
	}
}

func testLedger(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	svc := &ledger.Service{Tx: db, Store: db, Now: func() time.Time { return at(0) }}
	acc := createAccount(t, db)
	effects := 0
	act := func(ctx context.Context) (ledger.Outcome, error) {
		effects++
		return ledger.Outcome{Subject: acc.ID, Status: 201, Result: map[string]string{"account_id": acc.ID}}, nil
	}
	req := ledger.Request{ClientID: "mfc", ID: "r-1", Type: "register", Fingerprint: "f1", CenterID: "c1", OperatorID: "op"}
	first, replayed, err := svc.Do(c, req, act)
	if err != nil || replayed || first.State != ledger.Done || first.Status != 201 || effects != 1 {
		t.Fatalf("first Do = %+v, %v, %v (effects %d)", first, replayed, err, effects)
	}
	again, replayed, err := svc.Do(c, req, act)
	if err != nil || !replayed || effects != 1 || string(again.Result) != string(first.Result) || again.Subject != acc.ID {
		t.Errorf("resend = %+v, %v, %v (effects %d), want the stored answer and no effect", again, replayed, err, effects)
	}
	other := req
	other.Fingerprint = "f2"
	if _, _, err := svc.Do(c, other, act); !errors.Is(err, ledger.ErrReused) || effects != 1 {
		t.Errorf("same id, other input: %v (effects %d), want ErrReused", err, effects)
	}

	rejected := ledger.Request{ClientID: "mfc", ID: "r-2", Type: "confirm", Fingerprint: "f"}
	refuse := func(ctx context.Context) (ledger.Outcome, error) {
		effects++
		if _, err := db.Hit(ctx, "rolled-back", at(0), time.Minute); err != nil {
			return ledger.Outcome{}, err
		}
		return ledger.Outcome{}, &ledger.Rejection{Code: "account_exists", Message: "confirm instead", Status: 409}
	}
	r, _, err := svc.Do(c, rejected, refuse)
	if err != nil || r.State != ledger.Rejected || r.Code != "account_exists" || r.Status != 409 {
		t.Errorf("rejected Do = %+v, %v", r, err)
	}
	if n, _ := db.Count(c, "rolled-back", at(0)); n != 0 {
		t.Errorf("a rejected request left its writes: %d", n)
	}
	if r, replayed, _ := svc.Do(c, rejected, refuse); !replayed || r.Code != "account_exists" || effects != 2 {
		t.Errorf("resent rejection = %+v replayed %v (effects %d), want the stored rejection", r, replayed, effects)
	}

	boom := errors.New("disk on fire")
	failing := ledger.Request{ClientID: "mfc", ID: "r-3", Type: "confirm", Fingerprint: "f"}
	if _, _, err := svc.Do(c, failing, func(context.Context) (ledger.Outcome, error) { return ledger.Outcome{}, boom }); !errors.Is(err, boom) {
		t.Errorf("failing Do: %v", err)
	}
	if r, err := svc.Get(c, "mfc", "r-3"); err != nil || r.State != ledger.Failed {
		t.Errorf("failed request = %+v, %v, want state failed", r, err)
	}
	if r, replayed, err := svc.Do(c, failing, act); err != nil || replayed || r.State != ledger.Done {
		t.Errorf("resending a failed request = %+v %v %v, want it run again", r, replayed, err)
	}
	if _, err := svc.Get(c, "other-client", "r-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another client's request id: %v, want ErrNotFound", err)
	}
	if _, _, err := svc.Do(c, ledger.Request{ClientID: "mfc", ID: "bad id"}, act); !errors.Is(err, ledger.ErrInvalidID) {
		t.Errorf("request id with a space: %v", err)
	}
}

// testLedgerConcurrent sends the same request id from many goroutines: exactly one acts and
// every caller gets its answer.
func testLedgerConcurrent(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	svc := &ledger.Service{Tx: db, Store: db, Now: time.Now}
	var effects atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			r, _, err := svc.Do(c, ledger.Request{ClientID: "bank", ID: "same", Type: "t", Fingerprint: "f"},
				func(ctx context.Context) (ledger.Outcome, error) {
					effects.Add(1)
					_, err := db.Hit(ctx, "effect", at(0), time.Hour)
					return ledger.Outcome{Result: "ok"}, err
				})
			if err != nil || r.State != ledger.Done {
				t.Errorf("Do = %+v, %v", r, err)
			}
		})
	}
	wg.Wait()
	if n, _ := db.Count(c, "effect", at(0)); n != 1 {
		t.Errorf("%d committed effects, want 1 (op ran %d times)", n, effects.Load())
	}
}

func testAssertions(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	if err := db.UseAssertion(c, "bank", "j1", at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.UseAssertion(c, "bank", "j1", at(time.Minute)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("replayed jti: %v, want ErrConflict", err)
	}
	if err := db.UseAssertion(c, "other", "j1", at(time.Minute)); err != nil {
		t.Errorf("another client's jti: %v", err)
	}
	if n, err := db.DeleteExpiredAssertions(c, at(2*time.Minute)); err != nil || n != 2 {
		t.Errorf("DeleteExpiredAssertions = %d, %v", n, err)
	}
}
