package operator

import (
	"context"
	"time"
)

// Confirmation records who confirmed an account's identity: the method, and the center and
// operator (in person) or the bank (bank). Enrollments also keep blind indexes of the SNILS
// and passport typed at enrollment, so that the account is found by them while the registry
// checks still run.
type Confirmation struct {
	AccountID   string
	Method      string
	CenterID    string
	OperatorID  string
	BankID      string
	BankName    string
	RequestID   string
	SNILS       string // enrollment only: 11 digits (the store keeps only a blind index)
	Passport    string // enrollment only: series and number, 10 digits (blind index)
	ConfirmedAt time.Time
}

// Activation is a one-time link to set the first password, stored as a keyed hash.
type Activation struct {
	TokenHash string
	AccountID string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Lookup kinds of FindAccounts.
const (
	BySNILS    = "snils"    // 11 digits
	ByPassport = "passport" // Russian passport series and number, 10 digits
	ByPhone    = "phone"    // E.164
	ByEmail    = "email"    // normalized
)

// Store persists what the operator use-cases add to accounts. Every method joins the
// transaction in ctx.
type Store interface {
	// PutConfirmation records (or replaces) the account's confirmation.
	PutConfirmation(ctx context.Context, c *Confirmation) error
	// GetConfirmation returns the account's confirmation, or store.ErrNotFound.
	GetConfirmation(ctx context.Context, accountID string) (*Confirmation, error)
	// FindAccounts returns the ids of the accounts, active or deleted but not erased, that
	// the identifier designates: a verified SNILS or passport or one typed at enrollment, or a
	// verified contact. Active accounts come first.
	FindAccounts(ctx context.Context, kind, value string) ([]string, error)
	// OpenRequests counts the ledger requests about the account still accepted or processing.
	OpenRequests(ctx context.Context, accountID string) (int, error)
	// CreateActivation stores a.
	CreateActivation(ctx context.Context, a *Activation) error
	// ActivationValid reports whether an unexpired activation has the hash.
	ActivationValid(ctx context.Context, tokenHash string, now time.Time) (bool, error)
	// UseActivation deletes the activation with the hash and returns its account, or
	// store.ErrNotFound when there is none or it expired before now.
	UseActivation(ctx context.Context, tokenHash string, now time.Time) (string, error)
	// DeleteExpiredActivations removes up to limit activations expired before now.
	DeleteExpiredActivations(ctx context.Context, now time.Time, limit int) (int, error)
}
