package staff

import (
	"context"
	"errors"
	"fmt"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/store"
)

// Audit actions of staff changes, recorded on the staff member's chain.
const (
	ActionAssigned = "staff.assigned"
	ActionRemoved  = "staff.removed"
)

// ErrNoAccount: no active account has the login (a confirmed phone or email).
var ErrNoAccount = errors.New("account_not_found")

// Desk is staff management as people do it: by the login of an existing account, each
// change audited on the staff member's chain in the change's transaction.
type Desk struct {
	Staff    *Service
	Accounts account.Store
	Audit    *audit.Recorder
	Tx       store.Transactor
}

// Row is a staff member with what a list shows of them.
type Row struct {
	Member
	Account *account.Account // nil when the account is gone
}

// FindLogin returns the active account whose confirmed phone or email is login, or
// ErrNoAccount.
func (d *Desk) FindLogin(ctx context.Context, login string) (*account.Account, error) {
	for _, c := range ident.LoginCandidates(login) {
		if c.Kind != ident.LoginPhone && c.Kind != ident.LoginEmail {
			continue
		}
		acc, err := d.Accounts.FindByContact(ctx, account.ContactKind(c.Kind), c.Value)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find account: %w", err)
		}
		return acc, nil
	}
	return nil, ErrNoAccount
}

// AddByLogin makes the account with login a member of the center in role; by is nil for the
// platform admin, or the acting center_admin (see Service.Assign).
func (d *Desk) AddByLogin(ctx context.Context, by *Member, login, centerID string, role Role) (*Member, error) {
	acc, err := d.FindLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	var m *Member
	err = d.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = d.Staff.Assign(ctx, by, acc.ID, centerID, role); err != nil {
			return err
		}
		return d.record(ctx, by, ActionAssigned, m)
	})
	return m, err
}

// Remove ends the membership of the account; by as in AddByLogin.
func (d *Desk) Remove(ctx context.Context, by *Member, accountID string) error {
	_, err := d.remove(ctx, by, accountID)
	return err
}

// RemoveByLogin ends the membership of the account with login and returns the membership
// ended.
func (d *Desk) RemoveByLogin(ctx context.Context, by *Member, login string) (*Member, error) {
	acc, err := d.FindLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	return d.remove(ctx, by, acc.ID)
}

// remove ends the membership and audits it in one transaction, reading the member once.
func (d *Desk) remove(ctx context.Context, by *Member, accountID string) (*Member, error) {
	var m *Member
	err := d.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if m, err = d.Staff.remove(ctx, by, accountID); err != nil {
			return err
		}
		return d.record(ctx, by, ActionRemoved, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// List returns the center's staff with their accounts.
func (d *Desk) List(ctx context.Context, centerID string) ([]Row, error) {
	ms, err := d.Staff.List(ctx, centerID)
	if err != nil {
		return nil, err
	}
	out := make([]Row, 0, len(ms))
	for _, m := range ms {
		acc, err := d.Accounts.GetAccount(ctx, m.AccountID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		out = append(out, Row{Member: m, Account: acc})
	}
	return out, nil
}

// record audits a change of m on m's chain: the actor is the center_admin, or the system
// for the platform admin.
func (d *Desk) record(ctx context.Context, by *Member, action string, m *Member) error {
	if d.Audit == nil {
		return nil
	}
	actor := "system"
	if by != nil {
		actor = "operator:" + by.AccountID
	}
	return d.Audit.Record(ctx, audit.Event{AccountID: m.AccountID, Action: action, Actor: actor,
		Details: map[string]string{"center_id": m.CenterID, "role": string(m.Role)}})
}
