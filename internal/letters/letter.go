package letters

import (
	"context"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ratelimit"
)

// State is where a letter is in its life.
type State string

// Letter states (see the package doc's diagram).
const (
	Ordered   State = "ordered"   // waiting for the next print batch
	Batched   State = "batched"   // printed in a batch held until the print house reports it sent
	Sent      State = "sent"      // handed to the post; the code is valid
	Delivered State = "delivered" // the post reports it delivered; the code is valid
	Used      State = "used"      // the right code was entered: the account is confirmed
	Expired   State = "expired"   // the code outlived CodeTTL unused
	Void      State = "void"      // a newer letter was ordered; its code no longer works
	Returned  State = "returned"  // the post returned it undelivered; its code no longer works
)

// Live reports whether the letter is still on its way to the citizen (a new letter voids it).
func (s State) Live() bool { return s == Ordered || s == Batched || s == Sent || s == Delivered }

// CodeValid reports whether a letter in state s accepts its code (before its expiry).
func (s State) CodeValid() bool { return s == Sent || s == Delivered }

// Address is the postal address a letter goes to.
type Address struct {
	Postcode string `json:"postcode"` // 6 digits
	Region   string `json:"region"`
	City     string `json:"city"` // city or other settlement
	Street   string `json:"street"`
	House    string `json:"house"`
	Flat     string `json:"flat"` // optional
}

// Letter is one registered letter with a confirmation code. Its address and recipient are
// sealed at rest by the store; the code itself is never stored, only CodeHash.
type Letter struct {
	ID             string
	AccountID      string
	State          State
	Address        Address
	Recipient      string // the full name printed on the envelope
	CodeHash       string // keyed hash of the code; "" before the batch and once it cannot be used
	TrackingNumber string
	BatchID        string
	OrderedAt      time.Time
	BatchedAt      time.Time
	SentAt         time.Time // the code is valid from here...
	ExpiresAt      time.Time // ...until here
	DeliveredAt    time.Time
	UsedAt         time.Time
	RemindedAt     time.Time // when the reminder went out (zero: not yet)
	EndedAt        time.Time // when it became expired, void or returned
	Version        int       // optimistic concurrency; the store bumps it on update
}

// StateAt is the letter's state as the citizen sees it at now: a sent or delivered letter
// whose code has expired is expired, even before a step records it.
func (l *Letter) StateAt(now time.Time) State {
	if l.State.CodeValid() && !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt) {
		return Expired
	}
	return l.State
}

// end moves the letter to a final state that makes its code useless.
func (l *Letter) end(s State, now time.Time) {
	l.State, l.CodeHash, l.EndedAt = s, "", now
}

// Config holds the rules; DefaultConfig gives the defaults of the issue.
type Config struct {
	CodeTTL       time.Duration // a code is valid this long after the letter is sent
	ReminderAfter time.Duration // a reminder goes out this long after sending if the code is unused
	MaxLetters    int           // letters an account may order per LetterWindow
	LetterWindow  time.Duration
	MinInterval   time.Duration // between two orders of one account
	// WrongCodes limits wrong code entries per account.
	WrongCodes ratelimit.Rule
	// BatchLimit bounds the letters of one print batch (the rest wait for the next).
	BatchLimit int
	// BatchChunk is how many letters a print batch records per transaction; their files are
	// written before it, outside any transaction. 0 means DefaultBatchChunk.
	BatchChunk int
	SiteURL    string // public base URL, for links in messages and on the letter
}

// DefaultConfig returns the defaults: codes valid 30 days, a reminder at 14 days, at most 4
// letters per 30 days and 24 hours apart, 5 wrong codes per 10 minutes.
func DefaultConfig() Config {
	return Config{
		CodeTTL: 30 * 24 * time.Hour, ReminderAfter: 14 * 24 * time.Hour,
		MaxLetters: 4, LetterWindow: 30 * 24 * time.Hour, MinInterval: 24 * time.Hour,
		WrongCodes: ratelimit.Rule{Name: "letter_code_account", Max: 5, Window: 10 * time.Minute},
		BatchLimit: 10000, BatchChunk: DefaultBatchChunk,
	}
}

// DefaultBatchChunk is the letters a print batch records per transaction unless
// Config.BatchChunk says otherwise: a transaction of a few milliseconds on SQLite, whose
// single writer the rest of the service waits for meanwhile.
const DefaultBatchChunk = 200

// Standing is what a print batch needs to know about a letter's account: a letter is printed
// only for an active account still at the standard level.
type Standing struct {
	State account.State
	Level account.Level
}

// Store persists letters.
type Store interface {
	// CreateLetter inserts l (Version becomes 1).
	CreateLetter(ctx context.Context, l *Letter) error
	// GetLetter returns the letter, or store.ErrNotFound.
	GetLetter(ctx context.Context, id string) (*Letter, error)
	// AccountLetters returns up to limit of the account's letters, newest first.
	AccountLetters(ctx context.Context, accountID string, limit int) ([]*Letter, error)
	// OrderedLetters returns up to limit letters in state ordered, oldest first.
	OrderedLetters(ctx context.Context, limit int) ([]*Letter, error)
	// AccountStandings returns the state and level of each of the given accounts that
	// exists, by id, reading them together (one query per few hundred ids); an id missing
	// from the map has no account.
	AccountStandings(ctx context.Context, accountIDs []string) (map[string]Standing, error)
	// UpdateLetter writes l if its Version is current and bumps it; else store.ErrConflict.
	UpdateLetter(ctx context.Context, l *Letter) error
	// LockAccountLetters serializes, until the transaction in ctx ends, the steps that
	// change one account's letters (two orders at once must not both pass the limits).
	LockAccountLetters(ctx context.Context, accountID string) error
}

// Errors of the Service, besides flow's code_invalid, code_expired, rate_limited and
// validation_failed.
var (
	ErrStandardRequired = &flow.Error{Code: "standard_level_required"}
	ErrAlreadyConfirmed = &flow.Error{Code: "already_confirmed"}
	ErrNotSent          = &flow.Error{Code: "letter_not_sent"}
	ErrNotFound         = &flow.Error{Code: "not_found"}
)

// TooSoon is letter_too_soon: the last letter was ordered less than MinInterval ago.
func TooSoon(after time.Duration) *flow.Error {
	return &flow.Error{Code: "letter_too_soon", RetryAfter: after}
}

// LimitReached is letter_limit: MaxLetters letters were ordered in LetterWindow.
func LimitReached(after time.Duration) *flow.Error {
	return &flow.Error{Code: "letter_limit", RetryAfter: after}
}

// Audit actions recorded by the Service.
const (
	ActionOrdered     = "letter.ordered"
	ActionSent        = "letter.sent"
	ActionDelivered   = "letter.delivered"
	ActionReturned    = "letter.returned"
	ActionExpired     = "letter.expired"
	ActionLevelRaised = "account.level_raised" // as proofing records it, with method mail_code
)

// Method is the confirmation method recorded on the account.
const Method = "mail_code"

// JobKind is the job that reminds the citizen of an unused code.
const JobKind = "letter.reminder"
