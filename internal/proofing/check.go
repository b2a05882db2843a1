package proofing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/registry"
	"github.com/civis-id/civis/internal/store"
)

// Check outcomes reported to Observe.
const (
	OutcomeVerified    = "verified"
	OutcomeNotVerified = "not_verified"
	OutcomeUnavailable = "unavailable"
	OutcomeRejected    = "rejected"
	OutcomeCircuitOpen = "circuit_open"
	OutcomeTimeout     = "timeout"
)

// Handle is the jobs.Handler of JobKind: it runs one attempt at one check. A stale job (the
// check already has its result, or was rescheduled under a newer token) does nothing. The
// registry is called outside any transaction; its answer is written in one transaction
// conditional on the token, so a job that runs again after a crash writes nothing twice.
// When the registry is unavailable (or its circuit is open) the check gets a new token and a
// new job, due after the backoff but no later than the deadline.
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p jobPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("decode check job: %w", err))
	}
	c, err := s.Store.GetCheck(ctx, p.Check)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the account was deleted
	}
	if err != nil {
		return fmt.Errorf("load check: %w", err)
	}
	if c.State != CheckPending || c.Attempt != p.Attempt {
		return nil
	}
	return s.attempt(ctx, c)
}

func (s *Service) attempt(ctx context.Context, c *Check) error {
	now := s.now()
	if !now.Before(c.DeadlineAt) {
		s.observe(c.Registry, OutcomeTimeout, 0)
		return s.finish(ctx, c, verdict(c, registry.Result{}, "registry_timeout"))
	}
	// Backoff grows with the attempt token, which counts skipped attempts too: during a long
	// outage every waiting check settles at about one attempt an hour.
	next := now.Add(jobs.Backoff(c.Attempt))
	b := s.breaker(c.Registry)
	if ok, retry := b.Allow(now); !ok {
		s.observe(c.Registry, OutcomeCircuitOpen, 0)
		return s.reschedule(ctx, c, c.Calls, latest(next, retry.Add(jitter(s.Config.BreakerCooldown))), "circuit open")
	}
	start := time.Now()
	res, err := s.call(ctx, c)
	d := time.Since(start)
	switch {
	case err == nil:
		b.Success()
		s.observe(c.Registry, string(res.Outcome), d)
		return s.finish(ctx, c, verdict(c, res, ""))
	case errors.Is(err, registry.ErrRejected):
		b.Success() // the registry answered
		s.observe(c.Registry, OutcomeRejected, d)
		return s.finish(ctx, c, verdict(c, registry.Result{}, "registry_rejected"))
	default:
		b.Failure(s.now())
		s.observe(c.Registry, OutcomeUnavailable, d)
		return s.reschedule(ctx, c, c.Calls+1, next, err.Error())
	}
}

func (s *Service) call(ctx context.Context, c *Check) (registry.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Config.CallTimeout)
	defer cancel()
	person := c.Request.Person.registryPerson()
	switch c.Registry {
	case registry.NameSNILS:
		return s.Registries.SNILS.CheckSNILS(ctx, person, c.Request.SNILS)
	case registry.NameDocument:
		return s.Registries.Document.CheckDocument(ctx, person, c.Request.Document.registryDocument())
	case registry.NameINN:
		return s.Registries.INN.CheckINN(ctx, person, c.Request.INN)
	}
	return registry.Result{}, fmt.Errorf("%w: unknown registry %q", registry.ErrRejected, c.Registry)
}

func (p Personal) registryPerson() registry.Person {
	birth, _ := p.BirthDate.Time()
	return registry.Person{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName,
		BirthDate: birth, Gender: p.Gender}
}

func (d *IDDocument) registryDocument() registry.Document {
	if d == nil {
		return registry.Document{}
	}
	issued, _ := d.IssueDate.Time()
	expires, _ := d.ExpiryDate.Time()
	return registry.Document{Type: d.Type, Series: d.Series, Number: d.Number, IssueDate: issued,
		Issuer: d.Issuer, DivisionCode: d.DepartmentCode, Country: d.Country, ExpiryDate: expires}
}

// outcome is what a check's answer means for the check.
type outcome struct {
	Result
	INN string // an INN the tax service returned
}

// verdict turns a registry answer (or, with failReason, the lack of one) into the check's
// result. An INN lookup (no INN given) that finds nothing is skipped, never failed: the INN
// is optional.
func verdict(c *Check, res registry.Result, failReason string) outcome {
	lookup := c.Registry == registry.NameINN && c.Request.INN == ""
	inn := ""
	if n, err := ident.NormalizeINN(res.INN); c.Registry == registry.NameINN && err == nil && len(n) == 12 {
		inn = n
	}
	switch {
	case failReason == "" && res.Outcome == registry.Verified && (!lookup || inn != ""):
		return outcome{Result: Result{State: CheckVerified}, INN: inn}
	case failReason == "" && lookup:
		failReason = "inn_not_found"
	case failReason == "":
		failReason = res.Reason
		if failReason == "" {
			failReason = "not_verified"
		}
	}
	if lookup {
		return outcome{Result: Result{State: CheckSkipped, Reason: failReason}}
	}
	return outcome{Result: Result{State: CheckFailed, Reason: failReason}}
}

// reschedule gives the check a new attempt token and queues the job that holds it.
func (s *Service) reschedule(ctx context.Context, c *Check, calls int, at time.Time, lastErr string) error {
	if at.After(c.DeadlineAt) {
		at = c.DeadlineAt
	}
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.Store.RescheduleCheck(ctx, c.ID, c.Attempt, calls, at, truncate(lastErr, 300))
		if err != nil || !ok {
			return err
		}
		return s.enqueue(ctx, c.ID, c.Attempt+1, c.Registry, at)
	})
	if err != nil {
		return fmt.Errorf("reschedule check: %w", err)
	}
	return nil
}

// settleAttempts bounds the runs of a settlement whose transaction keeps losing races.
const settleAttempts = 5

// finish writes the check's result and, when it decides the submission, the submission's.
// A transaction that loses a race (store.ErrConflict: a deadlock, a serialization failure, a
// SNILS verified meanwhile on another account) runs again with the answer already obtained,
// up to settleAttempts times, so the registry is asked once and the next run sees what the
// winner wrote. One that keeps losing returns the error, and the job runs again.
func (s *Service) finish(ctx context.Context, c *Check, o outcome) error {
	o.At = s.now()
	var err error
	for range settleAttempts {
		if err = s.settle(ctx, c, o); !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("record check result: %w", err)
	}
	return nil
}

// settle runs finish's transaction once.
func (s *Service) settle(ctx context.Context, c *Check, o outcome) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.Store.FinishCheck(ctx, c.ID, c.Attempt, o.Result)
		if err != nil || !ok {
			return err
		}
		if o.INN != "" {
			if err := s.fillINN(ctx, c.AccountID, o.INN); err != nil {
				return err
			}
		}
		if o.State == CheckFailed {
			return s.fail(ctx, c.SubmissionID, c.AccountID, c.Registry, o.Reason)
		}
		remaining, ok, err := s.Store.CheckDone(ctx, c.SubmissionID)
		if err != nil || !ok || remaining > 0 {
			return err
		}
		return s.pass(ctx, c.SubmissionID, c.AccountID)
	})
}

// fillINN records the INN the tax service returned as the pending INN, when the citizen gave
// none (or gave the same).
func (s *Service) fillINN(ctx context.Context, accountID, inn string) error {
	_, err := s.Store.UpdateProfile(ctx, accountID, func(p *Profile) error {
		if p.INN.Pending == nil && (p.INN.Verified == nil || *p.INN.Verified != inn) {
			p.INN.Pending = &inn
		}
		return nil
	})
	return err
}

func (s *Service) observe(reg, outcome string, d time.Duration) {
	if s.Observe != nil {
		s.Observe(reg, outcome, d)
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
