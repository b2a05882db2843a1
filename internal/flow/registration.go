package flow

import (
	"context"
	"time"

	"github.com/civis-id/civis/internal/account"
)

// RegState is the state of a registration flow.
type RegState string

// Registration states.
const (
	AwaitingCodes    RegState = "awaiting_codes"
	AwaitingPassword RegState = "awaiting_password"
	Completed        RegState = "completed"
)

// PendingContact is a contact given at registration and the code sent to prove it.
type PendingContact struct {
	Kind          account.ContactKind
	Value         string
	CodeHash      string // keyed hash of the current code; empty when none is valid
	CodeExpiresAt time.Time
	CodeSentAt    time.Time
	Attempts      int // wrong entries of the current code
	Confirmed     bool
	Taken         bool // belongs to another account: its owner was warned, no code was sent
}

// Registration is a persisted registration flow.
type Registration struct {
	ID         string
	State      RegState
	LastName   string
	FirstName  string
	MiddleName string
	Locale     string
	Contacts   []PendingContact
	AccountID  string // set when completed
	CreatedAt  time.Time
	ExpiresAt  time.Time
	Version    int // optimistic concurrency; the store bumps it on update
}

// Contact returns the pending contact of kind, or nil.
func (r *Registration) Contact(kind account.ContactKind) *PendingContact {
	for i := range r.Contacts {
		if r.Contacts[i].Kind == kind {
			return &r.Contacts[i]
		}
	}
	return nil
}

// ConfirmedCount is how many contacts were confirmed.
func (r *Registration) ConfirmedCount() int {
	n := 0
	for _, c := range r.Contacts {
		if c.Confirmed {
			n++
		}
	}
	return n
}

// Store persists flows. Implementations seal the flow's content at rest.
type Store interface {
	CreateRegistration(ctx context.Context, r *Registration) error
	// GetRegistration returns the flow even when expired, or store.ErrNotFound.
	GetRegistration(ctx context.Context, id string) (*Registration, error)
	// UpdateRegistration writes r if its Version is still current and bumps it; otherwise
	// store.ErrConflict.
	UpdateRegistration(ctx context.Context, r *Registration) error
	// DeleteExpiredFlows removes up to limit flows that expired before cutoff.
	DeleteExpiredFlows(ctx context.Context, cutoff time.Time, limit int) (int, error)
}
