package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/session"
)

// takeStore records the cutoffs it is asked for and hands out its expired sessions once.
type takeStore struct {
	session.Store
	now, idleBefore time.Time
	expired         []*session.Session
}

func (s *takeStore) TakeExpiredSessions(_ context.Context, now, idleBefore time.Time, limit int) ([]*session.Session, error) {
	s.now, s.idleBefore = now, idleBefore
	n := min(limit, len(s.expired))
	out := s.expired[:n]
	s.expired = s.expired[n:]
	return out, nil
}

// noTx runs the function as is; the store tests prove the transaction.
type noTx struct{}

func (noTx) InTx(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

// TestEndExpired: the idle cutoff follows the idle timeout (none without one), OnExpire runs
// for every session taken that is past its lifetime (not for one that was only idle), and its
// failure fails the round.
func TestEndExpired(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, idle := range []time.Duration{0, 30 * time.Minute} {
		st := &takeStore{expired: []*session.Session{{ID: "a", ExpiresAt: now}, {ID: "idle", ExpiresAt: now.Add(time.Hour)},
			{ID: "c", ExpiresAt: now.Add(-time.Hour)}}}
		var ended []string
		s := &session.Service{Store: st, Tx: noTx{}, Now: func() time.Time { return now },
			Config:   session.Config{Lifetime: 12 * time.Hour, IdleTimeout: idle},
			OnExpire: func(_ context.Context, x *session.Session) error { ended = append(ended, x.ID); return nil }}
		n, err := s.EndExpired(context.Background(), 2)
		if err != nil || n != 2 || len(ended) != 1 || ended[0] != "a" {
			t.Errorf("idle %v: EndExpired = %d, %v; OnExpire ran for %v, want [a]", idle, n, err, ended)
		}
		wantIdle := time.Time{}
		if idle > 0 {
			wantIdle = now.Add(-idle)
		}
		if !st.now.Equal(now) || !st.idleBefore.Equal(wantIdle) {
			t.Errorf("idle %v: cutoffs %v, %v; want %v, %v", idle, st.now, st.idleBefore, now, wantIdle)
		}
	}
	fail := errors.New("queue down")
	s := &session.Service{Store: &takeStore{expired: []*session.Session{{ID: "a"}}}, Tx: noTx{}, Now: time.Now,
		OnExpire: func(context.Context, *session.Session) error { return fail }}
	if n, err := s.EndExpired(context.Background(), 10); !errors.Is(err, fail) || n != 0 {
		t.Errorf("EndExpired with a failing OnExpire = %d, %v", n, err)
	}
}
