package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

// expiringSession stores a session of account a, last used at seen and ending at expires.
func expiringSession(t *testing.T, db *sqlstore.DB, a *account.Account, seen, expires time.Time) *session.Session {
	t.Helper()
	s := &session.Session{ID: newID(), AccountID: a.ID, TokenHash: "h-" + newID(), AMR: []string{"pwd", "otp"},
		AuthTime: at(0), CreatedAt: at(0), LastSeenAt: seen, ExpiresAt: expires, UserAgent: "ua", IP: "192.0.2.7"}
	if err := db.CreateSession(ctx(t), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func sessionAccount(t *testing.T, db *sqlstore.DB) *account.Account {
	t.Helper()
	a := newAccount("", newID()+"@example.ru", true)
	if err := db.CreateAccount(ctx(t), a, account.Password{Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	return a
}

// testExpiredSessions: TakeExpiredSessions deletes the sessions past their lifetime, and
// those idle past the cutoff when one is given, returns them, and in a transaction that
// fails deletes nothing.
func testExpiredSessions(t *testing.T, db *sqlstore.DB) {
	c := ctx(t)
	a := sessionAccount(t, db)
	old := expiringSession(t, db, a, at(50*time.Minute), at(time.Hour))
	idle := expiringSession(t, db, a, at(0), at(12*time.Hour))
	live := expiringSession(t, db, a, at(55*time.Minute), at(12*time.Hour))
	now, idleBefore := at(61*time.Minute), at(31*time.Minute)

	crash := errors.New("crash")
	err := db.InTx(c, func(ctx context.Context) error {
		if got, err := db.TakeExpiredSessions(ctx, now, idleBefore, 10); err != nil || len(got) != 2 {
			t.Errorf("TakeExpiredSessions in a transaction = %d sessions, %v; want 2", len(got), err)
		}
		return crash
	})
	if !errors.Is(err, crash) {
		t.Fatalf("InTx = %v", err)
	}
	got, err := db.TakeExpiredSessions(c, now, time.Time{}, 10)
	if err != nil || len(got) != 1 || got[0].ID != old.ID {
		t.Fatalf("TakeExpiredSessions without an idle limit = %v, %v; want the session past its lifetime", got, err)
	}
	g := got[0]
	if g.AccountID != a.ID || !g.ExpiresAt.Equal(old.ExpiresAt) || !g.LastSeenAt.Equal(old.LastSeenAt) ||
		!g.CreatedAt.Equal(old.CreatedAt) || len(g.AMR) != 2 || g.TokenHash != "" || g.IP != "" {
		t.Errorf("taken session = %+v, want %+v without token hash and IP", g, old)
	}
	got, err = db.TakeExpiredSessions(c, now, idleBefore, 10)
	if err != nil || len(got) != 1 || got[0].ID != idle.ID {
		t.Fatalf("TakeExpiredSessions with the idle limit = %v, %v; want the idle session", got, err)
	}
	if got, err := db.TakeExpiredSessions(c, now, idleBefore, 10); err != nil || len(got) != 0 {
		t.Errorf("TakeExpiredSessions again = %v, %v; want none", got, err)
	}
	if s, err := db.SessionByTokenHash(c, live.TokenHash); err != nil || s.ID != live.ID {
		t.Errorf("the live session: %v, %v", s, err)
	}
	t.Run("Concurrent", func(t *testing.T) { testExpiredSessionsConcurrent(t, db) })
}

// testExpiredSessionsConcurrent: cleanups running at once (on several nodes) take each
// expired session exactly once, in batches of at most the limit; db holds no other expired
// session.
func testExpiredSessionsConcurrent(t *testing.T, db *sqlstore.DB) {
	const n = 60
	a := sessionAccount(t, db)
	for i := range n {
		expiringSession(t, db, a, at(time.Duration(i)*time.Second), at(time.Hour))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				var got []*session.Session
				err := db.InTx(ctx(t), func(ctx context.Context) error {
					var err error
					got, err = db.TakeExpiredSessions(ctx, at(2*time.Hour), time.Time{}, 7)
					return err
				})
				if err != nil || len(got) > 7 {
					t.Errorf("TakeExpiredSessions = %d sessions, %v", len(got), err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, s := range got {
					seen[s.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("took %d distinct sessions, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("session %s taken %d times", id, k)
		}
	}
}
