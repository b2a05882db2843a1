package flow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
)

// PasskeyLoginStart is a passkey prompt for signing in without a login or password.
type PasskeyLoginStart struct {
	ID        string // to send back with the answer
	Options   *protocol.CredentialAssertion
	ExpiresAt time.Time
}

// BeginPasskeyLogin starts a sign-in with a passkey alone.
func (s *Service) BeginPasskeyLogin(ctx context.Context, m Meta) (*PasskeyLoginStart, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	id, opts, err := s.MFA.BeginPasskeyLogin(ctx, "")
	if err != nil {
		return nil, err
	}
	return &PasskeyLoginStart{ID: id, Options: opts, ExpiresAt: s.Now().UTC().Add(s.MFA.Config.CeremonyTTL)}, nil
}

// PasskeyLogin finishes a sign-in with a passkey alone. The passkey must have verified the
// user (PIN or biometrics), which makes it two factors in one: amr is ["hwk" or "swk",
// "user", "mfa"].
func (s *Service) PasskeyLogin(ctx context.Context, id string, credential []byte, m Meta) (*Signed, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	if len(credential) == 0 {
		v := &ValidationError{Code: "validation_failed"}
		v.add("credential", "required", "this field is required")
		return nil, v
	}
	accountID, amr, err := s.MFA.FinishPasskeyLogin(ctx, id, "", credential)
	if err != nil {
		s.observe("failure")
		return nil, err
	}
	if !slices.Contains(amr, "user") {
		return nil, mfa.ErrPasskeyInvalid
	}
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	if acc.State != account.Active {
		return nil, mfa.ErrPasskeyInvalid
	}
	var out *Signed
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		out, err = s.openSession(ctx, acc, append(amr, "mfa"), map[string]string{"method": "passkey"}, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	s.observe("success")
	return out, nil
}

// Reauthenticate records a fresh sign-in on sess after checking the account's password, so
// that the citizen can change security settings. Failures count like sign-in failures
// (proof of work for the account, the coarse limit for the address).
func (s *Service) Reauthenticate(ctx context.Context, sess *session.Session, password string, sol *pow.Solution, m Meta) error {
	if password == "" || len(password) > 1024 {
		v := &ValidationError{Code: "validation_failed"}
		v.add("password", "required", "this field is required")
		return v
	}
	if err := s.peekIP(ctx, m.IP); err != nil {
		return err
	}
	if err := s.checkAccountPoW(ctx, sess.AccountID, sol); err != nil {
		return err
	}
	acc, err := s.Accounts.GetAccount(ctx, sess.AccountID)
	if err != nil {
		return fmt.Errorf("load account: %w", err)
	}
	_, ok, _, err := s.checkPassword(ctx, acc, password)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.loginFailed(ctx, "", acc.ID, m); !errors.Is(err, ErrInvalidCredentials) {
			return err
		}
		v := &ValidationError{Code: "validation_failed"}
		v.add("password", "wrong_password", "the password is not correct")
		return v
	}
	if err := s.Sessions.Reauthenticated(ctx, sess); err != nil {
		return err
	}
	return s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: audit.LoginSucceeded, Actor: "self", IP: m.IP,
		Details: map[string]string{"method": "pwd", "session_id": sess.ID, "reauthenticated": "true"}})
}

// checkAccountPoW is checkPoW for a signed-in citizen: only the account's failures count.
func (s *Service) checkAccountPoW(ctx context.Context, accountID string, sol *pow.Solution) error {
	if s.PoW == nil {
		return nil
	}
	bits := s.PoW.Required(ctx, PoWAccount, accountID)
	if bits == 0 {
		return nil
	}
	if sol != nil {
		err := s.PoW.VerifyBits(ctx, PoWAccount, accountID, bits, *sol)
		if err == nil || !powRejected(err) {
			return err
		}
	}
	ch, err := s.PoW.ChallengeBits(PoWAccount, accountID, bits)
	if err != nil {
		return err
	}
	return PoWRequired(ch)
}
