package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/store"
)

// GetRegistration returns a live registration flow.
func (s *Service) GetRegistration(ctx context.Context, id string) (*Registration, error) {
	reg, err := s.Flows.GetRegistration(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrFlowNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load registration: %w", err)
	}
	if !s.Now().Before(reg.ExpiresAt) {
		return nil, ErrFlowExpired
	}
	return reg, nil
}

// updateRegistration loads the flow, applies fn and saves it in one transaction, retrying when
// a concurrent step changed the flow first. fn's error is returned after the save, so that
// what fn recorded (a wrong attempt) is kept even when the step fails; fn returning a
// *saveNothing error skips the save.
func (s *Service) updateRegistration(ctx context.Context, id string, fn func(ctx context.Context, r *Registration) error) (*Registration, error) {
	for range 5 {
		var reg *Registration
		var stepErr error
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			var err error
			if reg, err = s.GetRegistration(ctx, id); err != nil {
				return err
			}
			if reg.State == Completed {
				return ErrFlowCompleted
			}
			stepErr = fn(ctx, reg)
			var skip *saveNothing
			if errors.As(stepErr, &skip) {
				stepErr = skip.err
				return nil
			}
			return s.Flows.UpdateRegistration(ctx, reg)
		})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return reg, stepErr
	}
	return nil, fmt.Errorf("update registration: %w", store.ErrConflict)
}

type saveNothing struct{ err error }

func (e *saveNothing) Error() string { return e.err.Error() }

// ConfirmContact checks the code sent to the contact of kind ("phone" or "email").
func (s *Service) ConfirmContact(ctx context.Context, id, kind, code string, m Meta) (*Registration, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	v := &ValidationError{Code: "validation_failed"}
	if kind != string(account.Phone) && kind != string(account.Email) {
		v.add("channel", "invalid_choice", "channel must be phone or email")
	}
	if !isDigits(code, s.Config.CodeDigits) {
		v.add("code", "code_format", fmt.Sprintf("the code is %d digits", s.Config.CodeDigits))
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	return s.updateRegistration(ctx, id, func(ctx context.Context, reg *Registration) error {
		c := reg.Contact(account.ContactKind(kind))
		if c == nil {
			v.add("channel", "not_in_registration", "this registration has no such contact")
			return &saveNothing{v}
		}
		if c.Confirmed {
			return &saveNothing{nil}
		}
		if err := s.checkCode(reg, c, code); err != nil {
			return err
		}
		c.Confirmed, c.CodeHash = true, ""
		if reg.ConfirmedCount() == len(reg.Contacts) {
			reg.State = AwaitingPassword
		}
		return nil
	})
}

// checkCode verifies code against c, counting a wrong entry. A taken contact has no code, so
// every entry is wrong, exactly as for a mistyped code.
func (s *Service) checkCode(reg *Registration, c *PendingContact, code string) error {
	if c.Attempts >= s.Config.CodeAttempts {
		return &saveNothing{ErrCodeAttempts}
	}
	if !c.Taken && !s.Now().Before(c.CodeExpiresAt) {
		return &saveNothing{ErrCodeExpired}
	}
	if c.Taken || c.CodeHash == "" || !s.CodeKey.Equal(codeScope(reg.ID, c.Kind), code, c.CodeHash) {
		c.Attempts++
		if c.Attempts >= s.Config.CodeAttempts {
			c.CodeHash = ""
			return ErrCodeAttempts
		}
		return ErrCodeInvalid
	}
	return nil
}

// ResendCode sends a new code to the contact of kind, voiding the previous one.
func (s *Service) ResendCode(ctx context.Context, id, kind string, m Meta) (*Registration, error) {
	if kind != string(account.Phone) && kind != string(account.Email) {
		v := &ValidationError{Code: "validation_failed"}
		v.add("channel", "invalid_choice", "channel must be phone or email")
		return nil, v
	}
	return s.updateRegistration(ctx, id, func(ctx context.Context, reg *Registration) error {
		c := reg.Contact(account.ContactKind(kind))
		if c == nil {
			v := &ValidationError{Code: "validation_failed"}
			v.add("channel", "not_in_registration", "this registration has no such contact")
			return &saveNothing{v}
		}
		if c.Confirmed {
			return &saveNothing{nil}
		}
		if wait := c.CodeSentAt.Add(s.Config.ResendCooldown).Sub(s.Now()); wait > 0 {
			return &saveNothing{RateLimited(wait)}
		}
		if err := s.limitSend(ctx, c.Kind, c.Value, m.IP); err != nil {
			return &saveNothing{err}
		}
		return s.sendCode(ctx, reg, c)
	})
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
