package account

import (
	"context"
	"time"
)

// Level is an account's level of identity assurance. Levels are ordered:
// Simplified < Standard < Confirmed.
type Level string

// The account levels of DESIGN.md.
const (
	Simplified Level = "simplified"
	Standard   Level = "standard"
	Confirmed  Level = "confirmed"
)

// Rank orders levels; an unknown level ranks below Simplified.
func (l Level) Rank() int {
	switch l {
	case Simplified:
		return 1
	case Standard:
		return 2
	case Confirmed:
		return 3
	}
	return 0
}

// AtLeast reports whether l is min or higher.
func (l Level) AtLeast(min Level) bool { return l.Rank() >= min.Rank() }

// State is an account's lifecycle state.
type State string

// Account lifecycle states.
const (
	Active  State = "active"
	Deleted State = "deleted"
)

// ContactKind is the kind of a contact.
type ContactKind string

// Contact kinds. The values are also the channel names of the registration API.
const (
	Phone ContactKind = "phone"
	Email ContactKind = "email"
)

// Contact is a phone (E.164) or an email (normalized) bound to an account.
type Contact struct {
	ID        string
	Kind      ContactKind
	Value     string
	Verified  bool
	CreatedAt time.Time
}

// Account is a citizen's account.
type Account struct {
	ID         string
	Level      Level
	State      State
	LastName   string
	FirstName  string
	MiddleName string
	Locale     string
	Contacts   []Contact
	// ConfirmationMethod is how the account reached the confirmed level: in_person,
	// mail_code, e_signature or bank ("" below confirmed).
	ConfirmationMethod string
	ConfirmedAt        time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Contact returns the account's contact of the given kind, if any.
func (a *Account) Contact(kind ContactKind) (Contact, bool) {
	for _, c := range a.Contacts {
		if c.Kind == kind {
			return c, true
		}
	}
	return Contact{}, false
}

// Password is an account's stored password hash (a PHC string).
type Password struct {
	Hash       string
	MustChange bool
	UpdatedAt  time.Time
}

// Store persists accounts. Implementations encrypt contact values at rest and look them up by
// blind index; callers see plain normalized values.
type Store interface {
	// CreateAccount inserts a and its contacts. It returns store.ErrConflict when a verified
	// contact already belongs to another account.
	CreateAccount(ctx context.Context, a *Account, pw Password) error
	// GetAccount returns the account with its contacts, or store.ErrNotFound.
	GetAccount(ctx context.Context, id string) (*Account, error)
	// FindByContact returns the active account owning the verified contact, or store.ErrNotFound.
	FindByContact(ctx context.Context, kind ContactKind, value string) (*Account, error)
	// GetPassword returns the account's password hash, or store.ErrNotFound.
	GetPassword(ctx context.Context, accountID string) (Password, error)
	// SetPassword replaces the account's password hash.
	SetPassword(ctx context.Context, accountID string, pw Password) error
	// SetLevel records a new level (and, for confirmed, the method and time).
	SetLevel(ctx context.Context, accountID string, level Level, method string, at time.Time) error
	// RaiseLevel sets the level to to only when it is from, and reports whether it did (a
	// registry check never lowers a confirmed account to standard).
	RaiseLevel(ctx context.Context, accountID string, from, to Level, at time.Time) (bool, error)
	// SetNames replaces the account's names (with the verified ones).
	SetNames(ctx context.Context, accountID, lastName, firstName, middleName string, at time.Time) error
	// FindBySNILS returns the active account whose verified SNILS (11 digits) is snils, or
	// store.ErrNotFound.
	FindBySNILS(ctx context.Context, snils string) (*Account, error)
}
