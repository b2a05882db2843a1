package recovery

import (
	"context"
	"fmt"
	"strconv"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/messages"
)

// SetPassword finishes the flow: in one transaction it sets the new password, ends every
// session of the account (each through session.Service.Revoke, so that the sites signed in from
// it get a back-channel logout) and every refresh and access token, audits the recovery and
// tells every contact. It does not sign the citizen in: the next sign-in goes through the
// account's second factors, which recovery keeps.
func (s *Service) SetPassword(ctx context.Context, id, password string, m flow.Meta) (*Recovery, error) {
	r, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := passwordStep(r); err != nil {
		return nil, err
	}
	if err := flow.CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return s.update(ctx, id, func(ctx context.Context, r *Recovery) (bool, error) {
		if err := passwordStep(r); err != nil {
			return false, err
		}
		acc, err := s.activeAccount(ctx, r.AccountID)
		if err != nil {
			return false, err
		}
		if acc == nil {
			return false, ErrNotFound
		}
		if err := s.recover(ctx, acc, hash, m); err != nil {
			return false, err
		}
		r.State = Completed
		return true, nil
	})
}

func passwordStep(r *Recovery) error { return inStep(r, AwaitingPassword) }

// recover replaces the password and ends everything signed in, inside the caller's
// transaction.
func (s *Service) recover(ctx context.Context, acc *account.Account, hash string, m flow.Meta) error {
	if err := s.Accounts.SetPassword(ctx, acc.ID, account.Password{Hash: hash, UpdatedAt: s.Now().UTC()}); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	ended, err := s.Sessions.RevokeAll(ctx, acc.ID, "")
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	if s.Devices != nil {
		if err := s.Devices.ForgetDevices(ctx, acc.ID); err != nil {
			return err
		}
	}
	if err := s.Grants.RevokeAccountGrants(ctx, acc.ID); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	if err := s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionRecovered, Actor: "self", IP: m.IP,
		Details: map[string]string{"sessions_ended": strconv.Itoa(ended)}}); err != nil {
		return err
	}
	return s.Notices.TellAll(ctx, acc, messages.PasswordRecovered,
		map[string]any{"Name": acc.FirstName, "Site": s.Config.SiteURL, "Centers": s.centers()})
}
