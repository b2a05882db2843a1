package flow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/store"
)

// SecondFactorInput answers the second-factor step of a sign-in.
type SecondFactorInput struct {
	LoginID    string
	Method     string // one of the sign-in's Methods
	Code       string // totp, sms, recovery_code
	Credential []byte // passkey: the browser's answer (PublicKeyCredential as JSON)
	Remember   bool   // trust this device for the configured time
}

// SecondFactorResult is the signed-in citizen and, when asked, the remembered device's token.
type SecondFactorResult struct {
	*Signed
	DeviceToken     string
	DeviceExpiresAt time.Time
}

// errWrongFactor marks a factor that did not match; the caller counts it.
var errWrongFactor = errors.New("wrong second factor")

// SecondFactor checks the second factor of a pending sign-in and opens the session, with amr
// naming both factors and "mfa". Each try spends one of the sign-in's attempts before it is
// checked, so parallel guesses cannot exceed them. Wrong 6-digit codes also count for the
// account in a time window; passkeys and recovery codes, which cannot be guessed, stay open
// to the owner meanwhile: a limit never locks the owner out.
func (s *Service) SecondFactor(ctx context.Context, in SecondFactorInput, m Meta) (*SecondFactorResult, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	l, err := s.GetLogin(ctx, in.LoginID)
	if err != nil {
		return nil, err
	}
	if err := checkFactorInput(l, in); err != nil {
		return nil, err
	}
	if guessable(in.Method) {
		if err := s.peekAccount(ctx, l.AccountID); err != nil {
			return nil, err
		}
	}
	if l, err = s.spendAttempt(ctx, l.ID, in.Method); err != nil {
		return nil, err
	}
	amr, err := s.verifyFactor(ctx, l, in, m)
	if errors.Is(err, errWrongFactor) || errors.Is(err, mfa.ErrPasskeyInvalid) {
		return nil, s.secondFactorFailed(ctx, l, in.Method, err, m)
	}
	if err != nil {
		return nil, err
	}
	return s.finishSecondFactor(ctx, l, in, amr, m)
}

// guessable reports whether a method's secret is a short code (6 digits) that limits must
// protect from guessing.
func guessable(method string) bool { return method == mfa.MethodTOTP || method == mfa.MethodSMS }

func checkFactorInput(l *LoginFlow, in SecondFactorInput) error {
	v := &ValidationError{Code: "validation_failed"}
	switch {
	case !slices.Contains(l.Methods, in.Method):
		v.add("method", "invalid_choice", "not a second factor of this sign-in")
	case in.Method == mfa.MethodPasskey && len(in.Credential) == 0:
		v.add("credential", "required", "this field is required")
	case in.Method != mfa.MethodPasskey && in.Code == "":
		v.add("code", "required", "this field is required")
	case len(in.Code) > 64:
		v.add("code", "too_long", "too long")
	}
	return v.orNil()
}

// peekAccount refuses while the account has had too many wrong second factors lately.
func (s *Service) peekAccount(ctx context.Context, accountID string) error {
	if s.Limiter == nil {
		return nil
	}
	d, err := s.Limiter.Peek(ctx, s.Config.SecondFactorPerAccount, s.Index.BlindIndex("rl:account", accountID))
	if err != nil {
		return err
	}
	if !d.Allowed {
		return RateLimited(d.RetryAfter)
	}
	return nil
}

// spendAttempt counts one try of the sign-in (and of its SMS code) before checking it.
func (s *Service) spendAttempt(ctx context.Context, id, method string) (*LoginFlow, error) {
	return s.updateLogin(ctx, id, func(l *LoginFlow) error {
		if l.Attempts >= s.Config.SecondFactorAttempts {
			return ErrLoginAttempts
		}
		l.Attempts++
		if method == mfa.MethodSMS {
			if l.SMS.Attempts >= s.Config.CodeAttempts {
				return ErrCodeAttempts
			}
			if l.SMS.Hash == "" || !s.Now().Before(l.SMS.ExpiresAt) {
				return ErrCodeExpired // none sent yet, or too old: send one
			}
			l.SMS.Attempts++
		}
		if method == mfa.MethodPasskey && l.PasskeyCeremony == "" {
			return ErrCodeExpired // no passkey prompt was started
		}
		return nil
	})
}

// verifyFactor checks the factor and returns the methods it adds to amr, or errWrongFactor.
func (s *Service) verifyFactor(ctx context.Context, l *LoginFlow, in SecondFactorInput, m Meta) ([]string, error) {
	var ok bool
	var err error
	switch in.Method {
	case mfa.MethodTOTP:
		ok, err = s.MFA.CheckTOTP(ctx, l.AccountID, in.Code)
		return factorAMR(ok, err, "otp")
	case mfa.MethodRecoveryCode:
		ok, err = s.MFA.UseRecoveryCode(ctx, l.AccountID, in.Code, m.IP)
		return factorAMR(ok, err, "otp")
	case mfa.MethodSMS:
		ok = l.SMS.Hash != "" && s.CodeKey.Equal(smsScope(l.ID), in.Code, l.SMS.Hash)
		return factorAMR(ok, nil, "sms")
	case mfa.MethodPasskey:
		_, amr, err := s.MFA.FinishPasskeyLogin(ctx, l.PasskeyCeremony, l.AccountID, in.Credential)
		return amr, err
	}
	return nil, fmt.Errorf("unknown second factor %q", in.Method)
}

func factorAMR(ok bool, err error, method string) ([]string, error) {
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errWrongFactor
	}
	return []string{method}, nil
}

// secondFactorFailed counts a wrong factor for the account and audits it; the sign-in ends
// when its attempts are spent.
func (s *Service) secondFactorFailed(ctx context.Context, l *LoginFlow, method string, cause error, m Meta) error {
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if guessable(method) {
			if err := s.limit(ctx, s.Config.SecondFactorPerAccount, "account", l.AccountID); err != nil && !isRateLimited(err) {
				return err
			}
		}
		if l.Attempts >= s.Config.SecondFactorAttempts {
			if err := s.Logins.DeleteLogin(ctx, l.ID); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, audit.Event{AccountID: l.AccountID, Action: audit.LoginFailed, Actor: "self",
			IP: m.IP, Details: map[string]string{"method": method}})
	})
	if err != nil {
		return fmt.Errorf("record failed second factor: %w", err)
	}
	switch {
	case l.Attempts >= s.Config.SecondFactorAttempts:
		return ErrLoginAttempts
	case method == mfa.MethodSMS && l.SMS.Attempts >= s.Config.CodeAttempts:
		return ErrCodeAttempts
	case errors.Is(cause, mfa.ErrPasskeyInvalid):
		return cause
	}
	return ErrCodeInvalid
}

// finishSecondFactor ends the pending sign-in and opens the session; with Remember it also
// remembers the device.
func (s *Service) finishSecondFactor(ctx context.Context, l *LoginFlow, in SecondFactorInput, factor []string, m Meta) (*SecondFactorResult, error) {
	acc, err := s.Accounts.GetAccount(ctx, l.AccountID)
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	if acc.State != account.Active {
		return nil, ErrInvalidCredentials
	}
	amr := append(append(slices.Clone(l.AMR), factor...), "mfa")
	out := &SecondFactorResult{}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Logins.DeleteLogin(ctx, l.ID); err != nil {
			return err
		}
		var err error
		if out.Signed, err = s.openSession(ctx, acc, amr, map[string]string{"method": "pwd+" + in.Method}, m); err != nil {
			return err
		}
		if in.Remember {
			out.DeviceToken, out.DeviceExpiresAt, err = s.MFA.RememberDevice(ctx, acc.ID, m.IP)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	s.observe("success")
	return out, nil
}

// SendLoginCode sends a sign-in code by SMS to the account's confirmed phone and returns the
// phone (E.164, for the page to show masked). Sends are limited per phone and per address and
// spaced by the resend cooldown; a new code voids the previous one.
func (s *Service) SendLoginCode(ctx context.Context, loginID string, m Meta) (string, error) {
	for range 5 {
		phone, err := s.sendLoginCode(ctx, loginID, m)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return phone, err
	}
	return "", fmt.Errorf("send sign-in code: %w", store.ErrConflict)
}

func (s *Service) sendLoginCode(ctx context.Context, loginID string, m Meta) (string, error) {
	var phone string
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		l, err := s.GetLogin(ctx, loginID)
		if err != nil {
			return err
		}
		if !slices.Contains(l.Methods, mfa.MethodSMS) {
			v := &ValidationError{Code: "validation_failed"}
			v.add("method", "invalid_choice", "this sign-in has no SMS second factor")
			return v
		}
		if wait := l.SMS.SentAt.Add(s.Config.ResendCooldown).Sub(s.Now()); wait > 0 {
			return RateLimited(wait)
		}
		acc, err := s.Accounts.GetAccount(ctx, l.AccountID)
		if err != nil {
			return fmt.Errorf("load account: %w", err)
		}
		c, ok := acc.Contact(account.Phone)
		if !ok || !c.Verified {
			return mfa.ErrPhoneRequired
		}
		if err := s.limitSend(ctx, account.Phone, c.Value, m.IP); err != nil {
			return err
		}
		code, err := credential.NewNumericCode(s.Config.CodeDigits)
		if err != nil {
			return err
		}
		now := s.Now().UTC()
		l.SMS = LoginSMS{Hash: s.CodeKey.Hash(smsScope(l.ID), code), SentAt: now, ExpiresAt: now.Add(s.Config.CodeTTL)}
		if err := s.Logins.UpdateLogin(ctx, l); err != nil {
			return err
		}
		phone = c.Value
		return s.Outbox.Send(ctx, notify.SMS, c.Value, acc.Locale, messages.LoginCode,
			map[string]any{"Code": code, "Minutes": strconv.Itoa(int(s.Config.CodeTTL.Minutes()))})
	})
	return phone, err
}

func smsScope(loginID string) string { return "login:" + loginID + ":sms" }

// PasskeyChallenge starts the passkey prompt of a pending sign-in and returns its options for
// navigator.credentials.get; a new prompt replaces the previous one.
func (s *Service) PasskeyChallenge(ctx context.Context, loginID string, m Meta) (*protocol.CredentialAssertion, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	l, err := s.GetLogin(ctx, loginID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(l.Methods, mfa.MethodPasskey) {
		v := &ValidationError{Code: "validation_failed"}
		v.add("method", "invalid_choice", "this sign-in has no passkey")
		return nil, v
	}
	id, opts, err := s.MFA.BeginPasskeyLogin(ctx, l.AccountID)
	if err != nil {
		return nil, err
	}
	if _, err := s.updateLogin(ctx, loginID, func(l *LoginFlow) error {
		l.PasskeyCeremony = id
		return nil
	}); err != nil {
		return nil, err
	}
	return opts, nil
}
