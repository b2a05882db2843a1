package recovery

import (
	"context"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// State is the state of a recovery flow.
type State string

// Recovery states.
const (
	AwaitingCode       State = "awaiting_code"
	AwaitingIdentifier State = "awaiting_identifier"
	AwaitingAnswer     State = "awaiting_answer"
	AwaitingPassword   State = "awaiting_password"
	Completed          State = "completed"
	Failed             State = "failed"
)

// Recovery is a persisted recovery flow. Its content is sealed at rest by the store.
type Recovery struct {
	ID    string
	State State
	Kind  Kind // the kind of identifier the citizen began with
	// AccountID is the account the identifier belongs to; "" when it belongs to none (the flow
	// goes on, but no code was sent and every code is wrong).
	AccountID     string
	CodeHash      string // keyed hash of the code; "" when none is valid
	CodeSentAt    time.Time
	CodeExpiresAt time.Time
	CodeAttempts  int // wrong entries of the current code
	StepAttempts  int // wrong second identifiers and answers
	Locale        string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	Version       int // optimistic concurrency; the store bumps it on update
}

// Errors of the Service, besides flow's (code_invalid, code_expired, code_attempts_exceeded,
// rate_limited, pow_required, validation_failed, password_too_weak).
var (
	ErrNotFound        = &flow.Error{Code: "recovery_not_found"}
	ErrExpired         = &flow.Error{Code: "recovery_expired"}
	ErrCompleted       = &flow.Error{Code: "recovery_completed"}
	ErrWrongStep       = &flow.Error{Code: "recovery_wrong_step"}
	ErrFailed          = &flow.Error{Code: "recovery_failed"}
	ErrAnswerWrong     = &flow.Error{Code: "answer_invalid"}
	ErrIdentifierWrong = &flow.Error{Code: "identifier_invalid"}
)

// Audit actions recorded by the Service (on the account the identifier belongs to).
const (
	ActionStarted   = "recovery.started"
	ActionFailed    = "recovery.failed"
	ActionRecovered = "password.recovered"
)

// PoWPurpose is the proof-of-work purpose of starting a recovery.
const PoWPurpose = "recovery"

// Config holds the rules; DefaultConfig gives DESIGN.md's values.
type Config struct {
	FlowTTL        time.Duration
	CodeTTL        time.Duration
	CodeDigits     int
	CodeAttempts   int
	ResendCooldown time.Duration
	StepAttempts   int    // wrong second identifiers and answers in one flow
	SiteURL        string // public base URL, for links in messages
	// CentersURL is the page listing the service centers that restore access.
	CentersURL string

	StartPerTarget ratelimit.Rule // recoveries started for one identifier
	StartPerIP     ratelimit.Rule // recoveries started from one IP
	SendPerTarget  ratelimit.Rule // codes to one phone or email (shared with registration)
	SendPerIP      ratelimit.Rule // codes requested from one IP (shared with registration)
	CheckPerIP     ratelimit.Rule // code, identifier and answer entries from one IP
	StepPerAccount ratelimit.Rule // wrong identifiers and answers for one account, across flows
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		FlowTTL: 30 * time.Minute, CodeTTL: 300 * time.Second, CodeDigits: 6, CodeAttempts: 3,
		ResendCooldown: 60 * time.Second, StepAttempts: 3,
		StartPerTarget: ratelimit.Rule{Name: "recovery_target", Max: 5, Window: time.Hour},
		StartPerIP:     ratelimit.Rule{Name: "recovery_ip", Max: 20, Window: time.Hour},
		SendPerTarget:  ratelimit.Rule{Name: "send_target", Max: 5, Window: time.Hour},
		SendPerIP:      ratelimit.Rule{Name: "send_ip", Max: 30, Window: time.Hour},
		CheckPerIP:     ratelimit.Rule{Name: "check_ip", Max: 60, Window: 10 * time.Minute},
		StepPerAccount: ratelimit.Rule{Name: "recovery_step_account", Max: 6, Window: 24 * time.Hour},
	}
}

// Store persists recovery flows and finds accounts by the documents recovery accepts.
type Store interface {
	CreateRecovery(ctx context.Context, r *Recovery) error
	// GetRecovery returns the flow even when expired, or store.ErrNotFound.
	GetRecovery(ctx context.Context, id string) (*Recovery, error)
	// UpdateRecovery writes r if its Version is current and bumps it; else store.ErrConflict.
	UpdateRecovery(ctx context.Context, r *Recovery) error
	// FindByPassport returns the one active account whose verified Russian passport has this
	// series (4 digits) and number (6 digits), or store.ErrNotFound.
	FindByPassport(ctx context.Context, series, number string) (*account.Account, error)
	// FindByINN returns the one active account whose verified INN is inn, or store.ErrNotFound.
	FindByINN(ctx context.Context, inn string) (*account.Account, error)
}

// Profiles reads the verified documents of an account (proofing.Store does).
type Profiles interface {
	GetProfile(ctx context.Context, accountID string) (*proofing.Profile, error)
}

// Secrets holds the secret questions (settings.Service does).
type Secrets interface {
	Question(ctx context.Context, accountID string) (question string, ok bool, err error)
	CheckAnswer(ctx context.Context, accountID, answer string) (bool, error)
}

// Grants ends the account's tokens at relying parties.
type Grants interface {
	// RevokeAccountGrants revokes every refresh token and deletes every access token of the
	// account.
	RevokeAccountGrants(ctx context.Context, accountID string) error
}

// Indexer computes keyed blind indexes, which keep identifiers out of rate-limit keys.
type Indexer interface {
	BlindIndex(kind, normalized string) string
}

// DeviceForgetter forgets the devices that may skip the second factor (mfa.Service).
type DeviceForgetter interface {
	ForgetDevices(ctx context.Context, accountID string) error
}

// Service runs recovery flows.
type Service struct {
	// Devices, if set, forgets the account's remembered devices when the password changes.
	Devices  DeviceForgetter
	Tx       store.Transactor
	Store    Store
	Accounts account.Store
	Profiles Profiles
	Secrets  Secrets
	Sessions *session.Service
	Grants   Grants
	Hasher   *credential.Hasher
	CodeKey  credential.CodeKey
	Index    Indexer
	Limiter  *ratelimit.Limiter
	PoW      *pow.Service // nil: no proof of work (tests of other parts)
	Outbox   *messages.Outbox
	Notices  *notice.Notifier
	Audit    *audit.Recorder
	Config   Config
	Now      func() time.Time
}
