package flow

import (
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// Config holds the flow rules; DefaultConfig gives DESIGN.md's values.
type Config struct {
	FlowTTL        time.Duration // a registration's lifetime
	CodeTTL        time.Duration // a code's validity
	CodeDigits     int
	CodeAttempts   int           // wrong entries before a code is void
	ResendCooldown time.Duration // between two codes to one contact
	SiteURL        string        // public base URL, for links in messages

	SendPerTarget ratelimit.Rule // codes to one phone or email
	SendPerIP     ratelimit.Rule // codes requested from one IP
	RegisterPerIP ratelimit.Rule // registrations started from one IP
	CheckPerIP    ratelimit.Rule // code entries from one IP
	// LoginFailIP is a coarse limit on failed sign-ins from one IP. Failures for one login or
	// one account never lock it: they make the next sign-ins solve a growing proof of work.
	LoginFailIP ratelimit.Rule

	LoginTTL               time.Duration  // a sign-in waiting for its second factor
	SecondFactorAttempts   int            // wrong second factors in one sign-in
	SecondFactorPerAccount ratelimit.Rule // wrong second factors for one account
}

// DefaultConfig returns the defaults of DESIGN.md.
func DefaultConfig() Config {
	return Config{
		FlowTTL:        30 * time.Minute,
		CodeTTL:        300 * time.Second,
		CodeDigits:     6,
		CodeAttempts:   3,
		ResendCooldown: 60 * time.Second,
		SendPerTarget:  ratelimit.Rule{Name: "send_target", Max: 5, Window: time.Hour},
		SendPerIP:      ratelimit.Rule{Name: "send_ip", Max: 30, Window: time.Hour},
		RegisterPerIP:  ratelimit.Rule{Name: "register_ip", Max: 20, Window: time.Hour},
		CheckPerIP:     ratelimit.Rule{Name: "check_ip", Max: 60, Window: 10 * time.Minute},
		LoginFailIP:    ratelimit.Rule{Name: "login_fail_ip", Max: 100, Window: 15 * time.Minute},

		LoginTTL:               5 * time.Minute,
		SecondFactorAttempts:   5,
		SecondFactorPerAccount: ratelimit.Rule{Name: "second_factor_account", Max: 10, Window: 15 * time.Minute},
	}
}

// Indexer computes keyed blind indexes; it keeps identifiers out of rate-limit keys.
type Indexer interface {
	BlindIndex(kind, normalized string) string
}

// Service runs the self-service flows.
type Service struct {
	Tx       store.Transactor
	Flows    Store
	Accounts account.Store
	Sessions *session.Service
	Hasher   *credential.Hasher
	CodeKey  credential.CodeKey
	Index    Indexer
	Outbox   *messages.Outbox
	Limiter  *ratelimit.Limiter
	Audit    *audit.Recorder
	// Logins holds sign-ins waiting for a second factor; MFA checks the factors; PoW, when set,
	// asks repeated failures for a proof of work instead of locking the login.
	Logins LoginStore
	MFA    *mfa.Service
	PoW    *pow.Service
	Config Config
	Now    func() time.Time
	// OnLogin, if set, is told each sign-in outcome ("success", "failure", "rate_limited",
	// "pow_required", "second_factor").
	OnLogin func(outcome string)
	// OnRegistered, if set, is called when an account is created.
	OnRegistered func()
}

// Meta describes the client making a request.
type Meta struct {
	IP        string
	UserAgent string
	Locale    string
}

func (s *Service) session(m Meta) session.Meta { return session.Meta{IP: m.IP, UserAgent: m.UserAgent} }
