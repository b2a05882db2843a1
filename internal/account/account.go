package account

import (
	"context"
	"errors"
	"fmt"
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

// ErrLevelChanged is Store.RaiseLevel's answer when the account is no longer at the level the
// caller saw: another path (a bank, a letter, an operator) raised it first, and nothing changed.
var ErrLevelChanged = errors.New("account level changed")

// CheckRaise reports whether going from from to to with method is a raise: both levels are
// known, to ranks above from, and a confirmation method is given exactly when to is Confirmed.
func CheckRaise(from, to Level, method string) error {
	if from.Rank() == 0 || to.Rank() <= from.Rank() {
		return fmt.Errorf("account: %q to %q is not a raise", from, to)
	}
	if (to == Confirmed) != (method != "") {
		return fmt.Errorf("account: a raise to %q with method %q", to, method)
	}
	return nil
}

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
	// AccountCore returns the account without its contacts (nothing to decrypt), for callers
	// that need only its level and names, or store.ErrNotFound.
	AccountCore(ctx context.Context, id string) (*Account, error)
	// FindByContact returns the active account owning the verified contact, or store.ErrNotFound.
	FindByContact(ctx context.Context, kind ContactKind, value string) (*Account, error)
	// GetPassword returns the account's password hash, or store.ErrNotFound.
	GetPassword(ctx context.Context, accountID string) (Password, error)
	// SetPassword replaces the account's password hash.
	SetPassword(ctx context.Context, accountID string, pw Password) error
	// RaiseLevel raises the account from from, the level the caller saw, to to, in one
	// conditional write: of two paths raising an account at once exactly one succeeds. A raise
	// to Confirmed records method (in_person, mail_code, e_signature or bank) and at as how and
	// when; below Confirmed method is "". It returns ErrLevelChanged when the account is no
	// longer at from (nothing changed), store.ErrNotFound when there is no such account, and
	// CheckRaise's error for a change that is not a raise.
	RaiseLevel(ctx context.Context, accountID string, from, to Level, method string, at time.Time) error
	// SetNames replaces the account's names (with the verified ones).
	SetNames(ctx context.Context, accountID, lastName, firstName, middleName string, at time.Time) error
	// FindBySNILS returns the active account whose verified SNILS (11 digits) is snils, or
	// store.ErrNotFound.
	FindBySNILS(ctx context.Context, snils string) (*Account, error)
}
