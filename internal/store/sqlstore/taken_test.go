package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
	"github.com/civis-id/civis/internal/store/storetest"
)

// TestContactTaken: a second account with a verified phone that another account holds is
// refused with ErrTaken on both engines, as the engine itself reports it; a contact that is
// not verified takes nothing.
func TestContactTaken(t *testing.T) {
	engines := map[string]func(t *testing.T) *sqlstore.DB{
		"sqlite": func(t *testing.T) *sqlstore.DB { return migrated(t, "sqlite:"+filepath.Join(t.TempDir(), "civis.db")) },
	}
	if dsn := storetest.PostgresDSN(); dsn != "" {
		engines["postgres"] = func(t *testing.T) *sqlstore.DB { return migrated(t, storetest.PostgresSchema(t, dsn)) }
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			db, ctx := open(t), context.Background()
			if err := db.CreateAccount(ctx, withPhone("+79160000001", true), account.Password{Hash: "h"}); err != nil {
				t.Fatal(err)
			}
			err := db.CreateAccount(ctx, withPhone("+79160000001", true), account.Password{Hash: "h"})
			if !errors.Is(err, store.ErrTaken) || !errors.Is(err, store.ErrConflict) {
				t.Errorf("the same verified phone again: %v, want ErrTaken (an ErrConflict)", err)
			}
			if err := db.CreateAccount(ctx, withPhone("+79160000001", false), account.Password{Hash: "h"}); err != nil {
				t.Errorf("the same phone unverified: %v", err)
			}
		})
	}
}

func withPhone(phone string, verified bool) *account.Account {
	now := time.Now().UTC()
	return &account.Account{ID: uuid.NewString(), Level: account.Simplified, State: account.Active, LastName: "Иванов",
		FirstName: "Иван", Locale: "ru", CreatedAt: now, UpdatedAt: now,
		Contacts: []account.Contact{{ID: uuid.NewString(), Kind: account.Phone, Value: phone, Verified: verified, CreatedAt: now}}}
}
