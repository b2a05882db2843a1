package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func testTransactions(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := newAccount("+79161112233", "", true)
	boom := errors.New("boom")
	err := db.InTx(c, func(c context.Context) error {
		if err := db.CreateAccount(c, a, account.Password{Hash: "h"}); err != nil {
			return err
		}
		// A nested InTx joins the outer transaction and sees its writes.
		return db.InTx(c, func(c context.Context) error {
			if _, err := db.GetAccount(c, a.ID); err != nil {
				t.Errorf("nested read of uncommitted account: %v", err)
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx err = %v, want boom", err)
	}
	if _, err := db.GetAccount(c, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("rolled-back account visible: err = %v", err)
	}
}

func testFlows(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	r := &flow.Registration{ID: newID(), State: flow.AwaitingCodes, LastName: "Петрова", FirstName: "Анна",
		Contacts:  []flow.PendingContact{{Kind: account.Phone, Value: "+79161234567", CodeHash: "x", CodeExpiresAt: at(5 * time.Minute)}},
		CreatedAt: at(0), ExpiresAt: at(30 * time.Minute)}
	if err := db.CreateRegistration(c, r); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetRegistration(c, r.ID)
	if err != nil || got.LastName != "Петрова" || got.Contacts[0].Value != "+79161234567" || !got.ExpiresAt.Equal(r.ExpiresAt) {
		t.Fatalf("GetRegistration = %+v, %v", got, err)
	}
	stale := *got
	got.State = flow.AwaitingPassword
	if err := db.UpdateRegistration(c, got); err != nil {
		t.Fatalf("UpdateRegistration: %v", err)
	}
	if err := db.UpdateRegistration(c, &stale); !errors.Is(err, store.ErrConflict) {
		t.Errorf("update from a stale version: err = %v, want ErrConflict", err)
	}
	if n, err := db.DeleteExpiredFlows(c, at(29*time.Minute), 10); err != nil || n != 0 {
		t.Errorf("DeleteExpiredFlows before expiry = %d, %v", n, err)
	}
	if n, err := db.DeleteExpiredFlows(c, at(31*time.Minute), 10); err != nil || n != 1 {
		t.Errorf("DeleteExpiredFlows after expiry = %d, %v; want 1", n, err)
	}
	if _, err := db.GetRegistration(c, r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted flow: err = %v, want ErrNotFound", err)
	}
}

func testSessions(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := newAccount("", "s@example.ru", true)
	if err := db.CreateAccount(c, a, account.Password{Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	s := &session.Session{ID: newID(), AccountID: a.ID, TokenHash: "hash1", AMR: []string{"pwd"}, AuthTime: at(0),
		CreatedAt: at(0), LastSeenAt: at(0), ExpiresAt: at(time.Hour), UserAgent: "test", IP: "192.0.2.1"}
	if err := db.CreateSession(c, s); err != nil {
		t.Fatal(err)
	}
	got, err := db.SessionByTokenHash(c, "hash1")
	if err != nil || got.IP != "192.0.2.1" || got.AMR[0] != "pwd" || !got.ExpiresAt.Equal(s.ExpiresAt) {
		t.Fatalf("SessionByTokenHash = %+v, %v", got, err)
	}
	if err := db.TouchSession(c, s.ID, at(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.SessionByTokenHash(c, "hash1"); !got.LastSeenAt.Equal(at(time.Minute)) {
		t.Errorf("LastSeenAt = %v after touch", got.LastSeenAt)
	}
	if taken, err := db.TakeExpiredSessions(c, at(2*time.Hour), time.Time{}, 10); err != nil || len(taken) != 1 {
		t.Errorf("TakeExpiredSessions = %d, %v; want 1", len(taken), err)
	}
	if _, err := db.SessionByTokenHash(c, "hash1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session still there: %v", err)
	}
}
