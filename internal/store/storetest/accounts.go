package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/store"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func newAccount(phone, email string, verified bool) *account.Account {
	a := &account.Account{ID: newID(), Level: account.Simplified, State: account.Active,
		LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович", Locale: "ru",
		CreatedAt: at(0), UpdatedAt: at(0)}
	if phone != "" {
		a.Contacts = append(a.Contacts, account.Contact{ID: newID(), Kind: account.Phone, Value: phone, Verified: verified, CreatedAt: at(0)})
	}
	if email != "" {
		a.Contacts = append(a.Contacts, account.Contact{ID: newID(), Kind: account.Email, Value: email, Verified: verified, CreatedAt: at(0)})
	}
	return a
}

func testAccounts(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := newAccount("+79161234567", "ivan@example.ru", true)
	if err := db.CreateAccount(c, a, account.Password{Hash: "h", UpdatedAt: at(0)}); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	got, err := db.GetAccount(c, a.ID)
	if err != nil {
		t.Fatalf("GetAccount: %v", err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("GetAccount round trip (-want +got):\n%s", diff)
	}
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt location = %v, want UTC", got.CreatedAt.Location())
	}
	found, err := db.FindByContact(c, account.Email, "ivan@example.ru")
	if err != nil || found.ID != a.ID {
		t.Errorf("FindByContact(email) = %v, %v; want %s", found, err, a.ID)
	}
	if _, err := db.FindByContact(c, account.Phone, "+79160000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FindByContact(unknown) err = %v, want ErrNotFound", err)
	}
	if _, err := db.GetAccount(c, newID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAccount(unknown) err = %v, want ErrNotFound", err)
	}
}

func testContactUniqueness(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	if err := db.CreateAccount(c, newAccount("+79161234567", "", true), account.Password{Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	second := newAccount("+79161234567", "other@example.ru", true)
	if err := db.CreateAccount(c, second, account.Password{Hash: "h"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second account with the same confirmed phone: err = %v, want ErrConflict", err)
	}
	// The failed create left nothing behind: not the account, not its email.
	if _, err := db.GetAccount(c, second.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("half-written account exists: err = %v", err)
	}
	if _, err := db.FindByContact(c, account.Email, "other@example.ru"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("half-written contact exists: err = %v", err)
	}
	// An unconfirmed contact neither conflicts nor is found.
	if err := db.CreateAccount(c, newAccount("+79161234567", "", false), account.Password{Hash: "h"}); err != nil {
		t.Errorf("unconfirmed duplicate: %v", err)
	}
}

func testPasswords(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := newAccount("", "p@example.ru", true)
	if err := db.CreateAccount(c, a, account.Password{Hash: "one", UpdatedAt: at(0)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(c, a.ID, account.Password{Hash: "two", MustChange: true, UpdatedAt: at(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetPassword(c, a.ID)
	want := account.Password{Hash: "two", MustChange: true, UpdatedAt: at(time.Hour)}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("GetPassword = %+v, %v; want %+v", got, err, want)
	}
	if _, err := db.GetPassword(c, newID()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetPassword(unknown) err = %v, want ErrNotFound", err)
	}
}
