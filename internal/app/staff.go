package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store"
)

// wireStaff builds staff management: who works at which center (checked against the
// directory), each change audited on the staff member's chain. It runs after wireCenters.
func (a *App) wireStaff() {
	a.Staff = &staff.Service{Store: a.DB, CenterExists: a.Centers.Exists, Now: a.Now}
	a.StaffDesk = &staff.Desk{Staff: a.Staff, Accounts: a.DB, Audit: a.Audit, Tx: a.DB}
}

// StaffDesk opens the configured database for the CLI's staff commands. The database must be
// migrated; the returned func releases it.
func StaffDesk(ctx context.Context, cfg *config.Config) (*staff.Desk, func(), error) {
	db, err := OpenReadyDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	dir := &center.Service{Store: db, Tx: db, Now: time.Now}
	s := &staff.Service{Store: db, CenterExists: dir.Exists, Now: time.Now}
	return &staff.Desk{Staff: s, Accounts: db, Audit: &audit.Recorder{Store: db, Now: time.Now}, Tx: db},
		func() { db.Close() }, nil
}

// The demo operator of --dev: a center_admin of the first demo center, who signs in with this
// password and the authenticator app set up with DemoOperatorTOTP (never in production).
const (
	DemoOperatorLogin    = "operator@civis.test"
	DemoOperatorPassword = "Operator-Demo-2026"
	DemoOperatorTOTP     = "CIVISDEMOOPERATORTOTPKEY"
)

// seedOperator creates the demo operator once, and makes them staff of the first demo center
// when the directory has it.
func (a *App) seedOperator(ctx context.Context) error {
	acc, err := a.DB.FindByContact(ctx, account.Email, DemoOperatorLogin)
	if errors.Is(err, store.ErrNotFound) {
		acc, err = a.createDemoOperator(ctx)
	}
	if err != nil {
		return fmt.Errorf("demo operator: %w", err)
	}
	if _, err := a.DB.GetTOTP(ctx, acc.ID); errors.Is(err, store.ErrNotFound) {
		now := a.Now().UTC()
		err = a.DB.SaveTOTP(ctx, &mfa.TOTPKey{AccountID: acc.ID, Secret: DemoOperatorTOTP, CreatedAt: now, ConfirmedAt: now})
		if err != nil {
			return fmt.Errorf("demo operator: %w", err)
		}
	}
	if _, err := a.Staff.Get(ctx, acc.ID); !errors.Is(err, staff.ErrNotStaff) {
		return err
	}
	if len(DemoCenters) == 0 {
		return nil
	}
	_, err = a.Staff.Assign(ctx, nil, acc.ID, DemoCenters[0].ID, staff.CenterAdmin)
	if errors.Is(err, staff.ErrNoCenter) {
		return nil // the directory has no demo centers (yet)
	}
	return err
}

func (a *App) createDemoOperator(ctx context.Context) (*account.Account, error) {
	hash, err := a.Hasher.Hash(ctx, DemoOperatorPassword)
	if err != nil {
		return nil, err
	}
	now := a.Now().UTC()
	acc := &account.Account{ID: uuid.Must(uuid.NewV7()).String(), Level: account.Simplified, State: account.Active,
		LastName: "Операторова", FirstName: "Ольга", Locale: "ru", CreatedAt: now, UpdatedAt: now,
		Contacts: []account.Contact{{ID: uuid.Must(uuid.NewV7()).String(), Kind: account.Email,
			Value: DemoOperatorLogin, Verified: true, CreatedAt: now}}}
	if err := a.DB.CreateAccount(ctx, acc, account.Password{Hash: hash, UpdatedAt: now}); err != nil {
		return nil, err
	}
	return acc, nil
}
