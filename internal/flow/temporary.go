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

// replaceTemporary enforces a temporary password, called after the right temporary password
// was given: the sign-in is refused with password_change_required until it also brings
// NewPassword, which must pass the policy and differ from the temporary one. The new
// password then replaces it and the sign-in goes on with it.
func (s *Service) replaceTemporary(ctx context.Context, acc *account.Account, in *LoginInput, m Meta) error {
	if in.NewPassword == "" {
		return ErrPasswordChangeFirst
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
		return err
	}
	hash, err := s.Hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Accounts.SetPassword(ctx, acc.ID, account.Password{Hash: hash, UpdatedAt: s.Now().UTC()}); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionTemporaryReplaced, Actor: "self", IP: m.IP})
	})
	if err != nil {
		return fmt.Errorf("replace temporary password: %w", err)
	}
	in.Password = in.NewPassword
	return nil
}
