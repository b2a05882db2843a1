package operator

import (
	"context"
	"errors"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/ratelimit"
)

// Limits are the rate limits of the operator use-cases. Registrations and restorations send
// the citizen messages (the first password, the activation link, a temporary password, a new
// contact's notice), so they are limited per target and per sender, as the self-service codes
// are; searches read the registry, so a stolen staff login or center credential cannot scrape
// it.
type Limits struct {
	// SendPerTarget counts the registrations and restorations that message one phone or email.
	SendPerTarget ratelimit.Rule
	// SendPerCenter counts the registrations and restorations at one center (workstation and
	// API together).
	SendPerCenter ratelimit.Rule
	SendPerBank   ratelimit.Rule // registrations by one partner bank (its client id)
	// SearchPerOperator counts the searches and existence checks of one staff member.
	SearchPerOperator ratelimit.Rule
	// SearchPerClient counts those through one client at one center: the center's own system,
	// or the workstation (every staff member of the center together).
	SearchPerClient ratelimit.Rule
}

// DefaultLimits returns the default limits: generous for the work of a busy center, far
// below what scraping or message bombing would need.
func DefaultLimits() Limits {
	return Limits{
		SendPerTarget:     ratelimit.Rule{Name: "enroll_send_target", Max: 5, Window: time.Hour},
		SendPerCenter:     ratelimit.Rule{Name: "enroll_send_center", Max: 200, Window: time.Hour},
		SendPerBank:       ratelimit.Rule{Name: "enroll_send_bank", Max: 1000, Window: time.Hour},
		SearchPerOperator: ratelimit.Rule{Name: "op_search_operator", Max: 60, Window: time.Minute},
		SearchPerClient:   ratelimit.Rule{Name: "op_search_client", Max: 600, Window: time.Minute},
	}
}

// Indexer computes keyed blind indexes (pii.Keys); it keeps identifiers out of rate-limit
// keys.
type Indexer interface {
	BlindIndex(kind, normalized string) string
}

// CodeRateLimited is the code of a request refused for now by a rate limit.
const CodeRateLimited = "rate_limited"

// counter is one rate-limit count: a rule, and the kind and value of its key.
type counter struct {
	rule        ratelimit.Rule
	kind, value string
	what        string // what is limited, for the ledger's message
}

// enabled reports whether the counter is to be counted: a limiter and an index are wired, the
// rule is set (a zero rule is no limit) and the key is known.
func (s *Service) enabled(c counter) bool {
	return s.Limiter != nil && s.Index != nil && c.rule.Max > 0 && c.rule.Window > 0 && c.value != ""
}

// hit counts one event on each counter, in order, and answers flow's rate_limited error for
// the first one past its limit (with the counter's description). Keys are blind indexes.
func (s *Service) hit(ctx context.Context, cs ...counter) (string, error) {
	return s.count(ctx, false, cs)
}

// peek reports, without counting, the first counter that one more event would take past its
// limit, as hit would answer it.
func (s *Service) peek(ctx context.Context, cs ...counter) (string, error) {
	return s.count(ctx, true, cs)
}

// count runs hit (or, with peek, peek) over the counters.
func (s *Service) count(ctx context.Context, peek bool, cs []counter) (string, error) {
	for _, c := range cs {
		if !s.enabled(c) {
			continue
		}
		check := s.Limiter.Hit
		if peek {
			check = s.Limiter.Peek
		}
		d, err := check(ctx, c.rule, s.Index.BlindIndex("rl:"+c.kind, c.value))
		if err != nil {
			return "", err
		}
		if !d.Allowed {
			return c.what, flow.RateLimited(d.RetryAfter)
		}
	}
	return "", nil
}

// sendCounters are the counters of an enrollment's message: its target (the phone, else the
// email) and its sender (the center, or the bank).
func (s *Service) sendCounters(en Enrollment, e *enrollee) []counter {
	target := counter{rule: s.Config.Limits.SendPerTarget, kind: "phone", value: e.Phone,
		what: "too many first-password messages to this phone"}
	if e.Phone == "" {
		target.kind, target.value, target.what = "email", e.Email, "too many first-password messages to this email"
	}
	sender := counter{rule: s.Config.Limits.SendPerCenter, kind: "center", value: en.CenterID,
		what: "too many registrations at this center"}
	if en.Method == MethodBank {
		sender = counter{rule: s.Config.Limits.SendPerBank, kind: "bank", value: en.BankID,
			what: "too many registrations by this bank"}
	}
	return []counter{target, sender}
}

// limitSend counts an enrollment's message; past a limit it fails with a ledger.Failure
// rate_limited: nothing changes, and the same request id may be resent after the window.
func (s *Service) limitSend(ctx context.Context, en Enrollment, e *enrollee) error {
	what, err := s.hit(ctx, s.sendCounters(en, e)...)
	return sendFailure(what, err)
}

// peekSend is limitSend without counting, for a check before costly work.
func (s *Service) peekSend(ctx context.Context, en Enrollment, e *enrollee) error {
	what, err := s.peek(ctx, s.sendCounters(en, e)...)
	return sendFailure(what, err)
}

// sendFailure turns a rate_limited error into the ledger's failure; other errors pass.
func sendFailure(what string, err error) error {
	if what == "" {
		return err
	}
	return &ledger.Failure{Code: CodeRateLimited, Status: statusTooMany, Err: err,
		Message: what + "; nothing changed: resend the request with the same request_id after Retry-After"}
}

// limited reports whether err, from a peek before costly work, is a limit reached already (a
// *ledger.Failure); then it stores err in *dst, for the ledger to record the request as failed.
func limited(err error, dst *error) bool {
	var f *ledger.Failure
	if !errors.As(err, &f) {
		return false
	}
	*dst = err
	return true
}

// limitSearch counts a search by the operator and through the client at the center; past a
// limit it answers flow's rate_limited error.
func (s *Service) limitSearch(ctx context.Context, a Actor) error {
	_, err := s.hit(ctx,
		counter{rule: s.Config.Limits.SearchPerOperator, kind: "operator", value: a.OperatorID},
		counter{rule: s.Config.Limits.SearchPerClient, kind: "client", value: a.ClientID + "\x00" + a.CenterID})
	return err
}
