package flow

import (
	"context"
	"errors"
	"fmt"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
)

// ActionTemporaryReplaced is audited when a citizen replaces a temporary password (issued by a
// service center) at sign-in.
const ActionTemporaryReplaced = "password.temporary_replaced"

// replaceTemporary enforces a temporary password: a sign-in with the right temporary password
// is refused with password_change_required until it also brings NewPassword, which must pass
// the policy and differ from the temporary one. The new password then replaces it and the
// sign-in goes on with it. It reports whether it replaced the password.
func (s *Service) replaceTemporary(ctx context.Context, acc *account.Account, in *LoginInput, m Meta) (bool, error) {
	pw, err := s.Accounts.GetPassword(ctx, acc.ID)
	if err != nil {
		return false, fmt.Errorf("load password: %w", err)
	}
	if !pw.MustChange {
		return false, nil
	}
	if in.NewPassword == "" {
		return false, ErrPasswordChangeFirst
	}
	v := &ValidationError{Code: "password_too_weak"}
	var weak *ValidationError
	if errors.As(CheckPassword(in.NewPassword), &weak) {
		for _, f := range weak.Fields {
			v.add("new_password", f.Code, f.Message)
		}
	} else if in.NewPassword == in.Password {
		v.add("new_password", "same_as_temporary", "choose a password other than the temporary one")
	}
	if err := v.orNil(); err != nil {
		return false, err
	}
	hash, err := s.Hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return false, fmt.Errorf("hash password: %w", err)
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Accounts.SetPassword(ctx, acc.ID, account.Password{Hash: hash, UpdatedAt: s.Now().UTC()}); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionTemporaryReplaced, Actor: "self", IP: m.IP})
	})
	if err != nil {
		return false, fmt.Errorf("replace temporary password: %w", err)
	}
	in.Password = in.NewPassword
	return true, nil
}
