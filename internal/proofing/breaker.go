package proofing

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Breaker is one registry's circuit breaker, in the memory of one node. After Failures
// consecutive failed calls it opens for Cooldown: calls are refused and the checks are
// rescheduled. Then it lets one probe call through (half-open): a success closes it, a failure
// opens it again.
type Breaker struct {
	Failures int
	Cooldown time.Duration

	mu        sync.Mutex
	failed    int
	openUntil time.Time
	probing   bool
	probeAt   time.Time // when the probe started; a probe that never reports expires
}

// Allow reports whether a call may go ahead now; if not, retry says when to try again.
// A caller that was allowed must report Success or Failure.
func (b *Breaker) Allow(now time.Time) (ok bool, retry time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.failed < b.Failures:
		return true, time.Time{}
	case now.Before(b.openUntil):
		return false, b.openUntil
	case b.probing && now.Before(b.probeAt.Add(b.Cooldown)):
		return false, now.Add(b.Cooldown / 4)
	}
	b.probing, b.probeAt = true, now
	return true, time.Time{}
}

// Success records an answered call and closes the circuit.
func (b *Breaker) Success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failed, b.probing = 0, false
}

// Failure records a failed call; the Failures-th in a row, or a failed probe, opens the
// circuit.
func (b *Breaker) Failure(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failed++
	if b.failed >= b.Failures {
		b.openUntil, b.probing = now.Add(b.Cooldown), false
	}
}

// Open reports whether the circuit refuses calls at now.
func (b *Breaker) Open(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failed >= b.Failures && now.Before(b.openUntil)
}

func (s *Service) breaker(reg string) *Breaker {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.breakers == nil {
		s.breakers = map[string]*Breaker{}
	}
	b := s.breakers[reg]
	if b == nil {
		b = &Breaker{Failures: max(s.Config.BreakerFailures, 1), Cooldown: s.Config.BreakerCooldown}
		s.breakers[reg] = b
	}
	return b
}

// Breaker returns the circuit breaker of a registry (for metrics and tests).
func (s *Service) Breaker(reg string) *Breaker { return s.breaker(reg) }

// jitter is a random delay in [0, d/2], so that rescheduled checks do not return together.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d/2 + 1)
}
