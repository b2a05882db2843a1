package settings

import (
	"context"
	"fmt"
	"strconv"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
)

// PasswordChange is what the citizen types to change the password.
type PasswordChange struct {
	Old, New string
	PoW      *pow.Solution // when an earlier wrong old password made the check ask for one
}

// ChangePassword replaces the password of sess's account after checking the old one, and
// ends every other session of the account (their sites are logged out too): whoever else knew
// the old password is out. It returns how many sessions it ended. Field errors name
// old_password and new_password.
func (s *Service) ChangePassword(ctx context.Context, sess *session.Session, in PasswordChange, m flow.Meta) (int, error) {
	if in.New == "" {
		return 0, validation("validation_failed", "new_password", "required", "this field is required")
	}
	if err := flow.CheckPassword(in.New); err != nil {
		return 0, renameField(err, "password", "new_password")
	}
	if in.New == in.Old {
		return 0, validation("validation_failed", "new_password", "same_as_old", "the new password must differ from the old one")
	}
	if err := s.Reauth.Reauthenticate(ctx, sess, in.Old, in.PoW, m); err != nil {
		return 0, renameField(err, "password", "old_password")
	}
	hash, err := s.Hasher.Hash(ctx, in.New)
	if err != nil {
		return 0, fmt.Errorf("hash password: %w", err)
	}
	ended := 0
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		acc, err := s.account(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		if err := s.Accounts.SetPassword(ctx, acc.ID, account.Password{Hash: hash, UpdatedAt: s.Now().UTC()}); err != nil {
			return err
		}
		if ended, err = s.Sessions.RevokeAll(ctx, acc.ID, sess.ID); err != nil {
			return err
		}
		if s.Devices != nil {
			if err := s.Devices.ForgetDevices(ctx, acc.ID); err != nil {
				return err
			}
		}
		if err := s.record(ctx, acc.ID, ActionPasswordChanged, m.IP,
			map[string]string{"sessions_ended": strconv.Itoa(ended)}); err != nil {
			return err
		}
		return s.Notices.Tell(ctx, acc, notice.Password, messages.PasswordChanged, s.greeting(acc))
	})
	if err != nil {
		return 0, fmt.Errorf("change password: %w", err)
	}
	return ended, nil
}
