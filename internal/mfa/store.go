package mfa

import (
	"context"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
)

// TOTPKey is an account's authenticator-app secret; ConfirmedAt is zero until the citizen
// typed a first code from the app.
type TOTPKey struct {
	AccountID   string
	Secret      string // base32, as apps show it
	LastStep    int64  // the last time step accepted: a code is used once
	CreatedAt   time.Time
	ConfirmedAt time.Time
}

// Passkey is a registered WebAuthn credential.
type Passkey struct {
	ID           string
	AccountID    string
	Name         string
	CredentialID []byte
	Credential   webauthn.Credential
	CreatedAt    time.Time
	LastUsedAt   time.Time
}

// Ceremony is a pending WebAuthn prompt: the challenge the browser must sign.
type Ceremony struct {
	ID        string
	AccountID string // "" for a sign-in without a login
	Kind      string // "register" or "login"
	Session   webauthn.SessionData
	ExpiresAt time.Time
}

// Device is a remembered browser or app: the hash of the token it keeps.
type Device struct {
	TokenHash string
	AccountID string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store persists second factors. Implementations seal TOTP secrets and keep only hashes of
// recovery codes and device tokens.
type Store interface {
	// FactorSummary counts the account's confirmed factors in one query.
	FactorSummary(ctx context.Context, accountID string) (Factors, error)

	// GetTOTP returns the account's key (confirmed or pending), or store.ErrNotFound.
	GetTOTP(ctx context.Context, accountID string) (*TOTPKey, error)
	// SaveTOTP inserts or replaces the account's key.
	SaveTOTP(ctx context.Context, k *TOTPKey) error
	// UseTOTPStep records step as used when it is later than the last one used, and reports
	// whether it did (false: a replayed or older code).
	UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error)
	DeleteTOTP(ctx context.Context, accountID string) error

	// SetSMSFactor turns SMS codes as a second factor on or off.
	SetSMSFactor(ctx context.Context, accountID string, on bool, at time.Time) error

	// ReplaceRecoveryCodes voids the account's codes and stores the new hashes.
	ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes []string, at time.Time) error
	// UseRecoveryCode marks an unused code as used and reports whether there was one.
	UseRecoveryCode(ctx context.Context, accountID, hash string, at time.Time) (bool, error)

	AddPasskey(ctx context.Context, p *Passkey) error
	// Passkeys lists the account's passkeys, oldest first.
	Passkeys(ctx context.Context, accountID string) ([]*Passkey, error)
	// UpdatePasskey writes the credential (its signature counter) and LastUsedAt.
	UpdatePasskey(ctx context.Context, p *Passkey) error
	// DeletePasskey removes one of the account's passkeys and reports whether it existed.
	DeletePasskey(ctx context.Context, accountID, id string) (bool, error)

	SaveCeremony(ctx context.Context, c *Ceremony) error
	// TakeCeremony returns and deletes a ceremony (each is answered once), or
	// store.ErrNotFound.
	TakeCeremony(ctx context.Context, id string) (*Ceremony, error)

	AddDevice(ctx context.Context, d *Device) error
	// DeviceByTokenHash returns the device, or store.ErrNotFound.
	DeviceByTokenHash(ctx context.Context, hash string) (*Device, error)

	// DeleteSecondFactors removes every factor, recovery code and remembered device of the
	// account.
	DeleteSecondFactors(ctx context.Context, accountID string) error
	// DeleteDevices forgets every remembered device of the account.
	DeleteDevices(ctx context.Context, accountID string) error
	// DeleteExpiredDevices removes up to limit devices that expired before now.
	DeleteExpiredDevices(ctx context.Context, now time.Time, limit int) (int, error)
}
