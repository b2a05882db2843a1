package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// Rule is a limit: at most Max events per Window for one key.
type Rule struct {
	Name   string // namespace of the key, e.g. "code_send_target"
	Max    int
	Window time.Duration
}

// Store counts hits.
type Store interface {
	// Hit adds one event for key in the window starting at windowStart and returns the count
	// in that window including this one.
	Hit(ctx context.Context, key string, windowStart time.Time, window time.Duration) (int, error)
	// Count returns the events for key in the window starting at windowStart.
	Count(ctx context.Context, key string, windowStart time.Time) (int, error)
	// DeleteExpiredCounters removes up to limit counters whose window ended before now.
	DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error)
}

// Limiter applies rules.
type Limiter struct {
	Store Store
	Now   func() time.Time
}

// Decision is the outcome of a check.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration // when not allowed: until the window ends
}

// Hit records one event under rule for key and reports whether it is within the limit.
func (l *Limiter) Hit(ctx context.Context, rule Rule, key string) (Decision, error) {
	start, end := l.window(rule)
	n, err := l.Store.Hit(ctx, rule.Name+":"+key, start, rule.Window)
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w", rule.Name, err)
	}
	if n > rule.Max {
		return Decision{RetryAfter: end.Sub(l.Now())}, nil
	}
	return Decision{Allowed: true}, nil
}

// Peek reports whether one more event would be allowed, without recording one.
func (l *Limiter) Peek(ctx context.Context, rule Rule, key string) (Decision, error) {
	start, end := l.window(rule)
	n, err := l.Store.Count(ctx, rule.Name+":"+key, start)
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w", rule.Name, err)
	}
	if n >= rule.Max {
		return Decision{RetryAfter: end.Sub(l.Now())}, nil
	}
	return Decision{Allowed: true}, nil
}

func (l *Limiter) window(rule Rule) (start, end time.Time) {
	now := l.Now().UTC()
	start = now.Truncate(rule.Window)
	return start, start.Add(rule.Window)
}
