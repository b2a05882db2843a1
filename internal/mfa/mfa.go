package mfa

import (
	"context"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// Second-factor methods, as the login step and the API name them.
const (
	MethodTOTP         = "totp"
	MethodSMS          = "sms"
	MethodPasskey      = "passkey"
	MethodRecoveryCode = "recovery_code"
)

// Error is a failure the citizen can act on, with a stable machine code (ProblemCode).
type Error struct{ Code string }

func (e *Error) Error() string { return e.Code }

// ProblemCode is the problem code the HTTP layers answer with.
func (e *Error) ProblemCode() string { return e.Code }

// Errors returned by the Service.
var (
	ErrReauthRequired = &Error{Code: "reauth_required"}
	ErrTOTPEnabled    = &Error{Code: "totp_already_enabled"}
	ErrTOTPNotStarted = &Error{Code: "totp_not_started"}
	ErrCodeInvalid    = &Error{Code: "code_invalid"}
	ErrPhoneRequired  = &Error{Code: "phone_required"}
	ErrPasskeyInvalid = &Error{Code: "passkey_invalid"}
	ErrNotFound       = &Error{Code: "not_found"}
	// ErrPasskeysOff: the node has no passkey relying party (its public URL is an IP address).
	ErrPasskeysOff = &Error{Code: "unavailable"}
)

// Config holds the rules of second factors.
type Config struct {
	Issuer        string        // the name authenticator apps show
	SiteURL       string        // public base URL, for links in messages
	ReauthWithin  time.Duration // changes need a sign-in at most this old
	DeviceTTL     time.Duration // how long a remembered device skips the second factor
	CeremonyTTL   time.Duration // how long a passkey prompt can be answered
	RecoveryCodes int           // codes in a set
}

// DefaultConfig returns the defaults: changes within 10 minutes of signing in, devices
// remembered 30 days, passkey prompts valid 5 minutes, 10 recovery codes.
func DefaultConfig() Config {
	return Config{Issuer: "Civis", ReauthWithin: 10 * time.Minute, DeviceTTL: 30 * 24 * time.Hour,
		CeremonyTTL: 5 * time.Minute, RecoveryCodes: 10}
}

// Service manages and checks second factors.
type Service struct {
	Tx       store.Transactor
	Store    Store
	Accounts account.Store
	CodeKey  credential.CodeKey // hashes recovery codes
	Audit    *audit.Recorder
	Outbox   *messages.Outbox
	WebAuthn *webauthn.WebAuthn // nil: passkeys are off
	Config   Config
	Now      func() time.Time
}

// Factors is what second factors an account has.
type Factors struct {
	TOTP          bool
	SMS           bool // turned on; offered only while the account has a confirmed phone
	Passkeys      int
	RecoveryCodes int  // unused
	PasskeysOff   bool // the node cannot check passkeys
}

// Factors returns the account's second factors.
func (s *Service) Factors(ctx context.Context, accountID string) (Factors, error) {
	f, err := s.Store.FactorSummary(ctx, accountID)
	if err != nil {
		return Factors{}, fmt.Errorf("second factors: %w", err)
	}
	f.PasskeysOff = !s.PasskeysOn()
	return f, nil
}

// Methods lists the methods a sign-in may use, in the order pages offer them; none means the
// account has no second factor. Recovery codes count only next to another factor.
func (f Factors) Methods(phoneConfirmed bool) []string {
	var out []string
	if f.TOTP {
		out = append(out, MethodTOTP)
	}
	if f.SMS && phoneConfirmed {
		out = append(out, MethodSMS)
	}
	if f.Passkeys > 0 && !f.PasskeysOff {
		out = append(out, MethodPasskey)
	}
	if len(out) > 0 && f.RecoveryCodes > 0 {
		out = append(out, MethodRecoveryCode)
	}
	return out
}

// MethodsFor lists the sign-in methods of an account (see Factors.Methods).
func (s *Service) MethodsFor(ctx context.Context, acc *account.Account) ([]string, error) {
	f, err := s.Factors(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	return f.Methods(phoneConfirmed(acc)), nil
}

// PasskeysOn reports whether this node can register and check passkeys.
func (s *Service) PasskeysOn() bool { return s.WebAuthn != nil }

// Fresh reports whether sess signed in recently enough to change second factors.
func (s *Service) Fresh(sess *session.Session) bool {
	return s.Now().Sub(sess.AuthTime) <= s.Config.ReauthWithin
}

func (s *Service) fresh(sess *session.Session) error {
	if sess == nil || !s.Fresh(sess) {
		return ErrReauthRequired
	}
	return nil
}

func phoneConfirmed(acc *account.Account) bool {
	c, ok := acc.Contact(account.Phone)
	return ok && c.Verified
}
