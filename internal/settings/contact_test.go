package settings_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/settings"
	"github.com/civis-id/civis/internal/store"
)

var ctx = context.Background()

// replaceFails is a settings.Store whose first fails calls of ReplaceContact answer err
// without writing; the later ones write.
type replaceFails struct {
	settings.Store
	err   error
	fails atomic.Int32
}

func (s *replaceFails) ReplaceContact(ctx context.Context, accountID string, c account.Contact) error {
	if s.fails.Add(-1) >= 0 {
		return s.err
	}
	return s.Store.ReplaceContact(ctx, accountID, c)
}

// newAccount creates an active account with a verified phone.
func newAccount(t *testing.T, env *apptest.Env, phone string) *account.Account {
	t.Helper()
	now := time.Now().UTC()
	acc := &account.Account{ID: uuid.Must(uuid.NewV7()).String(), Level: account.Simplified, State: account.Active,
		LastName: "Иванов", FirstName: "Иван", Locale: "ru", CreatedAt: now, UpdatedAt: now,
		Contacts: []account.Contact{{ID: uuid.Must(uuid.NewV7()).String(), Kind: account.Phone, Value: phone,
			Verified: true, CreatedAt: now}}}
	if err := env.App.DB.CreateAccount(ctx, acc, account.Password{Hash: "h", UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return acc
}

// startEmailChange signs the account in and starts a change of its email to email; it
// returns the session and the change with the code sent.
func startEmailChange(t *testing.T, env *apptest.Env, svc *settings.Service, acc *account.Account, email string) (*session.Session, string, string) {
	t.Helper()
	sess, _, err := env.App.Sessions.Create(ctx, acc.ID, []string{"pwd"}, session.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.StartContactChange(ctx, sess, "email", email, flow.Meta{IP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("StartContactChange: %v", err)
	}
	return sess, c.ID, env.Code(email)
}

// TestConfirmContactChangeConflicts: only a contact confirmed on another account
// (store.ErrTaken) is contact_already_registered; another conflict (a deadlock, a
// serialization failure) runs the confirmation again, and one that keeps happening is a
// server-side error, never an answer about the contact.
func TestConfirmContactChangeConflicts(t *testing.T) {
	deadlock := fmt.Errorf("replace contact: %w: 40P01", store.ErrConflict)
	taken := fmt.Errorf("replace contact: %w: contacts_verified_value", store.ErrTaken)
	for i, tc := range []struct {
		name      string
		err       error
		fails     int32
		wantEmail bool   // the change went through
		wantCode  string // the flow.Error code, "" for none
	}{
		{name: "deadlock once", err: deadlock, fails: 1, wantEmail: true},
		{name: "deadlock always", err: deadlock, fails: 100},
		{name: "taken", err: taken, fails: 1, wantCode: "contact_already_registered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := apptest.New(t)
			fake := &replaceFails{Store: env.App.Settings.Store, err: tc.err}
			fake.fails.Store(tc.fails)
			svc := *env.App.Settings
			svc.Store = fake
			acc := newAccount(t, env, fmt.Sprintf("+7916555%04d", i))
			email := fmt.Sprintf("new%d@example.ru", i)
			sess, id, code := startEmailChange(t, env, &svc, acc, email)
			got, err := svc.ConfirmContactChange(ctx, sess, id, code, flow.Meta{IP: "192.0.2.1"})
			checkConfirm(t, got, err, tc.wantEmail, tc.wantCode)
			if !tc.wantEmail && tc.wantCode == "" && !errors.Is(err, store.ErrConflict) {
				t.Errorf("a conflict that keeps happening: %v, want an error wrapping store.ErrConflict", err)
			}
			stored, gerr := env.App.DB.GetAccount(ctx, acc.ID)
			if c, ok := stored.Contact(account.Email); gerr != nil || ok != tc.wantEmail || (ok && c.Value != email) {
				t.Errorf("stored email = %+v (%v), %v; want set %v", c, ok, gerr, tc.wantEmail)
			}
		})
	}
}

// checkConfirm checks ConfirmContactChange's answer: the account with the new email, or
// the flow.Error wantCode, or (neither) an error that is not a flow.Error.
func checkConfirm(t *testing.T, acc *account.Account, err error, wantEmail bool, wantCode string) {
	t.Helper()
	var fe *flow.Error
	isFlow := errors.As(err, &fe)
	switch {
	case wantEmail:
		if err != nil {
			t.Fatalf("ConfirmContactChange: %v, want the change done", err)
		}
		if _, ok := acc.Contact(account.Email); !ok {
			t.Errorf("the account answered has no email: %+v", acc.Contacts)
		}
	case wantCode != "":
		if !isFlow || fe.Code != wantCode {
			t.Errorf("ConfirmContactChange: %v, want %s", err, wantCode)
		}
	default:
		if err == nil || isFlow {
			t.Errorf("ConfirmContactChange: %v, want a server-side error, not an answer about the input", err)
		}
	}
}

// TestConfirmContactTakenMeanwhile: an email confirmed on another account after the change
// started is contact_already_registered at confirmation, on every engine (the store's unique
// index answers store.ErrTaken).
func TestConfirmContactTakenMeanwhile(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			svc := env.App.Settings
			acc := newAccount(t, env, "+79165551000")
			email := "taken@example.ru"
			sess, id, code := startEmailChange(t, env, svc, acc, email)
			other := newAccount(t, env, "+79165551001")
			c := account.Contact{ID: uuid.Must(uuid.NewV7()).String(), Kind: account.Email, Value: email, Verified: true,
				CreatedAt: time.Now().UTC()}
			if err := env.App.DB.ReplaceContact(ctx, other.ID, c); err != nil {
				t.Fatal(err)
			}
			_, err := svc.ConfirmContactChange(ctx, sess, id, code, flow.Meta{IP: "192.0.2.1"})
			if !errors.Is(err, flow.ErrContactRegistered) {
				t.Errorf("ConfirmContactChange of a contact taken meanwhile: %v, want contact_already_registered", err)
			}
		})
	}
}
