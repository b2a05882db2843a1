package proofing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/registry"
	"github.com/civis-id/civis/internal/store"
)

// Config holds the proofing rules; DefaultConfig gives the defaults.
type Config struct {
	// Deadline bounds a submission: a registry that has not answered by then fails its
	// check with registry_timeout.
	Deadline time.Duration
	// CallTimeout bounds one registry call; a call that times out counts as unavailable.
	CallTimeout time.Duration
	// BreakerFailures consecutive failed calls open a registry's circuit for BreakerCooldown;
	// while it is open, checks are rescheduled without calling.
	BreakerFailures int
	BreakerCooldown time.Duration
	// NoticeInterval spaces the warnings sent to a SNILS's verified owner about one account.
	NoticeInterval time.Duration
	SiteURL        string // public base URL, for links in messages
}

// DefaultConfig returns the defaults: a 5-day deadline, 30 s per call, a circuit that opens
// after 5 consecutive failures for 30 s.
func DefaultConfig() Config {
	return Config{Deadline: 5 * 24 * time.Hour, CallTimeout: 30 * time.Second,
		BreakerFailures: 5, BreakerCooldown: 30 * time.Second, NoticeInterval: 24 * time.Hour}
}

// Audit actions recorded by the Service.
const (
	ActionUpdated     = "profile.updated"
	ActionSubmitted   = "profile.submitted"
	ActionVerified    = "profile.verified"
	ActionCheckFailed = "profile.check_failed"
	ActionLevelRaised = "account.level_raised"
	ActionSNILSClaim  = "profile.snils_claimed_elsewhere"
)

// Service keeps profiles, runs their registry checks and releases verified data.
type Service struct {
	Tx         store.Transactor
	Store      Store
	Accounts   account.Store
	Queue      *jobs.Queue
	Registries registry.Registries
	Outbox     *messages.Outbox
	Audit      *audit.Recorder
	Logger     *slog.Logger
	Config     Config
	Now        func() time.Time
	// Observe, if set, is told every attempt at a check: the registry, the outcome
	// (verified, not_verified, unavailable, rejected, circuit_open, timeout) and the
	// registry call's duration (0 when the registry was not called).
	Observe func(registry, outcome string, d time.Duration)
	// OnEnqueue, if set, is called after check jobs were committed (to wake the runner).
	OnEnqueue func()

	mu       sync.Mutex
	breakers map[string]*Breaker
}

// Meta describes the client making a request, for the audit log.
type Meta struct {
	IP string
	// Actor is who acts, as the audit log records it ("" is the citizen: "self"); a service
	// center's operator enrolling a citizen is "operator:<id>".
	Actor string
}

func (m Meta) actor() string {
	if m.Actor == "" {
		return "self"
	}
	return m.Actor
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// Configured reports whether registries are wired, so that submissions can be checked.
func (s *Service) Configured() bool {
	r := s.Registries
	return r.SNILS != nil && r.Document != nil && r.INN != nil
}

// Profile returns the account's profile (empty when it has none) and its latest submission
// (nil when there is none).
func (s *Service) Profile(ctx context.Context, accountID string) (*Profile, *Submission, error) {
	p, err := s.loadProfile(ctx, accountID)
	if err != nil {
		return nil, nil, err
	}
	subs, err := s.Store.ListSubmissions(ctx, accountID, 1)
	if err != nil {
		return nil, nil, fmt.Errorf("load submissions: %w", err)
	}
	if len(subs) == 0 {
		return p, nil, nil
	}
	return p, subs[0], nil
}

func (s *Service) loadProfile(ctx context.Context, accountID string) (*Profile, error) {
	p, err := s.Store.GetProfile(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return &Profile{AccountID: accountID}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	return p, nil
}

// Submissions returns up to limit of the account's submissions, newest first.
func (s *Service) Submissions(ctx context.Context, accountID string, limit int) ([]*Submission, error) {
	return s.Store.ListSubmissions(ctx, accountID, limit)
}

// Update applies a partial update to the account's profile. It returns a validation_failed
// *Error for bad fields and a field_locked one when it would change a checked item under
// check (nothing is written then).
func (s *Service) Update(ctx context.Context, accountID string, p Patch, m Meta) (*Profile, error) {
	if err := p.Normalize(s.now()); err != nil {
		return nil, err
	}
	items := p.items()
	if len(items) == 0 {
		return s.loadProfile(ctx, accountID)
	}
	var out *Profile
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		prof, err := s.Store.UpdateProfile(ctx, accountID, func(prof *Profile) error {
			before := *prof
			p.apply(prof)
			if locked := lockedChanges(&before, prof); prof.Checking() && len(locked) > 0 {
				return &Error{Code: "field_locked", Fields: locked,
					Detail: "personal data, SNILS, identity document and INN cannot change while they are being checked"}
			}
			return nil
		})
		if err != nil {
			return err
		}
		out = prof
		return s.record(ctx, accountID, ActionUpdated, m.actor(), m.IP, map[string]string{"items": itemList(items)})
	})
	if err != nil {
		return nil, wrap("update profile", err)
	}
	return out, nil
}

func itemList(items []Item) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = string(it)
	}
	return strings.Join(s, ",")
}

func (s *Service) record(ctx context.Context, accountID, action, actor, ip string, details map[string]string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: action, Actor: actor, IP: ip, Details: details})
}

// wrap adds context to unexpected errors and passes the Service's own *Error through.
func wrap(what string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return fmt.Errorf("%s: %w", what, err)
}
