package settings

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// Audit actions recorded by the Service.
const (
	ActionPasswordChanged  = "password.changed"
	ActionContactChanged   = "contact.changed"
	ActionQuestionSet      = "settings.secret_question_set"
	ActionQuestionRemoved  = "settings.secret_question_removed"
	ActionNoticesChanged   = "settings.notifications_changed"
	ActionContactClaimedBy = "contact.claim_refused"
)

// Errors of the Service, besides flow's.
var (
	ErrChangeNotFound = &flow.Error{Code: "contact_change_not_found"}
	ErrChangeExpired  = &flow.Error{Code: "contact_change_expired"}
	ErrReauthRequired = &flow.Error{Code: "reauth_required"}
)

// Config holds the rules; DefaultConfig gives DESIGN.md's values.
type Config struct {
	ChangeTTL      time.Duration // a contact change's lifetime
	CodeTTL        time.Duration
	CodeDigits     int
	CodeAttempts   int
	ReauthWithin   time.Duration // contact and secret-question changes need a sign-in at most this old
	SiteURL        string
	SendPerTarget  ratelimit.Rule
	SendPerIP      ratelimit.Rule
	CheckPerIP     ratelimit.Rule
	ChangesPerUser ratelimit.Rule // contact changes started by one account
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		ChangeTTL: 30 * time.Minute, CodeTTL: 300 * time.Second, CodeDigits: 6, CodeAttempts: 3,
		ReauthWithin:   10 * time.Minute,
		SendPerTarget:  ratelimit.Rule{Name: "send_target", Max: 5, Window: time.Hour},
		SendPerIP:      ratelimit.Rule{Name: "send_ip", Max: 30, Window: time.Hour},
		CheckPerIP:     ratelimit.Rule{Name: "check_ip", Max: 60, Window: 10 * time.Minute},
		ChangesPerUser: ratelimit.Rule{Name: "contact_change_account", Max: 10, Window: 24 * time.Hour},
	}
}

// Store persists what the Service keeps.
type Store interface {
	// SecretQuestion returns the account's question, or store.ErrNotFound.
	SecretQuestion(ctx context.Context, accountID string) (*SecretQuestion, error)
	SetSecretQuestion(ctx context.Context, accountID string, q SecretQuestion) error
	DeleteSecretQuestion(ctx context.Context, accountID string) error

	CreateContactChange(ctx context.Context, c *ContactChange) error
	// GetContactChange returns the change even when expired, or store.ErrNotFound.
	GetContactChange(ctx context.Context, id string) (*ContactChange, error)
	// UpdateContactChange writes c if its Version is current and bumps it; else store.ErrConflict.
	UpdateContactChange(ctx context.Context, c *ContactChange) error
	// ReplaceContact makes c the account's confirmed contact of its kind (replacing the old
	// one, keeping its id); store.ErrTaken when another account has it confirmed, and
	// another store.ErrConflict when the transaction lost a race.
	ReplaceContact(ctx context.Context, accountID string, c account.Contact) error
}

// Reauthenticator checks the password of a signed-in citizen again (flow.Service does, with
// failure counting and proof of work); a wrong password is a validation error on field
// "password".
type Reauthenticator interface {
	Reauthenticate(ctx context.Context, sess *session.Session, password string, sol *pow.Solution, m flow.Meta) error
}

// Indexer computes keyed blind indexes, which keep identifiers out of rate-limit keys.
type Indexer interface {
	BlindIndex(kind, normalized string) string
}

// DeviceForgetter forgets the devices that may skip the second factor (mfa.Service).
type DeviceForgetter interface {
	ForgetDevices(ctx context.Context, accountID string) error
}

// Service changes a signed-in citizen's settings.
type Service struct {
	// Devices, if set, forgets the account's remembered devices when the password changes.
	Devices  DeviceForgetter
	Tx       store.Transactor
	Store    Store
	Accounts account.Store
	Sessions *session.Service
	Reauth   Reauthenticator
	Hasher   *credential.Hasher
	CodeKey  credential.CodeKey
	Index    Indexer
	Limiter  *ratelimit.Limiter
	Outbox   *messages.Outbox
	Notices  *notice.Notifier
	Audit    *audit.Recorder
	Config   Config
	Now      func() time.Time
}

// fresh fails with reauth_required unless sess signed in (or confirmed the password)
// within Config.ReauthWithin.
func (s *Service) fresh(sess *session.Session) error {
	if s.Now().Sub(sess.AuthTime) > s.Config.ReauthWithin {
		return ErrReauthRequired
	}
	return nil
}

// Fresh reports whether sess may change contacts and the secret question without typing the
// password again.
func (s *Service) Fresh(sess *session.Session) bool { return s.fresh(sess) == nil }

// account loads the signed-in citizen's active account.
func (s *Service) account(ctx context.Context, accountID string) (*account.Account, error) {
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	if acc.State != account.Active {
		return nil, fmt.Errorf("load account: %w", store.ErrNotFound)
	}
	return acc, nil
}

// limit counts one event under rule for key; rate_limited past the limit.
func (s *Service) limit(ctx context.Context, rule ratelimit.Rule, kind, value string) error {
	if s.Limiter == nil || value == "" {
		return nil
	}
	d, err := s.Limiter.Hit(ctx, rule, s.Index.BlindIndex("rl:"+kind, value))
	if err != nil {
		return err
	}
	if !d.Allowed {
		return flow.RateLimited(d.RetryAfter)
	}
	return nil
}

func (s *Service) record(ctx context.Context, accountID, action, ip string, details map[string]string) error {
	return s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: action, Actor: "self", IP: ip, Details: details})
}

// validation returns a one-field validation error.
func validation(code, field, fieldCode, msg string) error {
	return &flow.ValidationError{Code: code, Fields: []flow.FieldError{{Field: field, Code: fieldCode, Message: msg}}}
}

// renameField returns err with the field errors on from moved to to (flow's password checks
// name the field "password"; the settings forms have several).
func renameField(err error, from, to string) error {
	var ve *flow.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &flow.ValidationError{Code: ve.Code}
	for _, f := range ve.Fields {
		if f.Field == from {
			f.Field = to
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}

// greeting is the template data every notice uses.
func (s *Service) greeting(acc *account.Account) map[string]any {
	return map[string]any{"Name": acc.FirstName, "Site": s.Config.SiteURL}
}
