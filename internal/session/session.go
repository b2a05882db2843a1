package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/store"
)

// ErrInvalid is returned for a token that is unknown, expired, idle too long or revoked.
var ErrInvalid = errors.New("session invalid")

// Session is one signed-in device.
type Session struct {
	ID         string
	AccountID  string
	TokenHash  string
	AMR        []string // RFC 8176 methods used to authenticate, e.g. ["pwd"]
	AuthTime   time.Time
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string
	IP         string
}

// Store persists sessions.
type Store interface {
	CreateSession(ctx context.Context, s *Session) error
	// SessionByTokenHash returns the session, or store.ErrNotFound.
	SessionByTokenHash(ctx context.Context, hash string) (*Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	DeleteAccountSessions(ctx context.Context, accountID string) error
	// TakeExpiredSessions deletes up to limit sessions that expired before now or were last
	// used before idleBefore (zero: no idle limit), and returns those that this call deleted
	// (a session deleted concurrently by another call is not), without token hash and IP.
	TakeExpiredSessions(ctx context.Context, now, idleBefore time.Time, limit int) ([]*Session, error)
}

// Config sets session lifetimes.
type Config struct {
	Lifetime    time.Duration // absolute, from sign-in
	IdleTimeout time.Duration // since last use
}

// Service issues and checks sessions.
type Service struct {
	Store  Store
	Tx     store.Transactor
	Config Config
	Now    func() time.Time
	// OnEnd, if set, runs in the transaction that ends a session (sign-out): it records the
	// event and signs the citizen out of the sites that got tokens from the session.
	OnEnd func(ctx context.Context, s *Session) error
	// OnExpire, if set, runs in the transaction that deletes a session past its lifetime
	// (EndExpired): it tells the sites that got tokens from the session.
	OnExpire func(ctx context.Context, s *Session) error
}

// Meta describes the client a session is issued to.
type Meta struct {
	UserAgent string
	IP        string
}

// touchEvery bounds how often a session's last use is written, so that an API client making
// many requests costs one write a minute, not one a request.
const touchEvery = time.Minute

// Create starts a session for accountID and returns it with its token, which is shown once.
func (s *Service) Create(ctx context.Context, accountID string, amr []string, m Meta) (*Session, string, error) {
	token, err := credential.NewToken()
	if err != nil {
		return nil, "", err
	}
	now := s.Now().UTC()
	sess := &Session{
		ID:         uuid.Must(uuid.NewV7()).String(),
		AccountID:  accountID,
		TokenHash:  credential.HashToken(token),
		AMR:        amr,
		AuthTime:   now,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.Config.Lifetime),
		UserAgent:  truncate(m.UserAgent, 256),
		IP:         m.IP,
	}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return nil, "", fmt.Errorf("create session: %w", err)
	}
	return sess, token, nil
}

// Authenticate returns the live session for token and records its use.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, ErrInvalid
	}
	sess, err := s.Store.SessionByTokenHash(ctx, credential.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	now := s.Now().UTC()
	if !now.Before(sess.ExpiresAt) || (s.Config.IdleTimeout > 0 && now.Sub(sess.LastSeenAt) >= s.Config.IdleTimeout) {
		return nil, ErrInvalid
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.Store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// Revoke ends the session and everything that hangs on it (see OnEnd), in one transaction.
func (s *Service) Revoke(ctx context.Context, sess *Session) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.DeleteSession(ctx, sess.ID); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if s.OnEnd != nil {
			return s.OnEnd(ctx, sess)
		}
		return nil
	})
}

// EndExpired deletes up to limit sessions past their lifetime or idle timeout and runs
// OnExpire for each one past its lifetime, all in one transaction: a crash loses or repeats
// none of that work, and a session taken by a concurrent call (another node's cleanup) is not
// ended again. It returns how many sessions it ended. A session ended by the idle timeout
// gets no OnExpire: that timeout measures the use of Civis, not of the sites, and a citizen
// busy at a site is not signed out of it for not coming back to Civis.
func (s *Service) EndExpired(ctx context.Context, limit int) (int, error) {
	now := s.Now().UTC()
	var idleBefore time.Time
	if s.Config.IdleTimeout > 0 {
		idleBefore = now.Add(-s.Config.IdleTimeout)
	}
	n := 0
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		ended, err := s.Store.TakeExpiredSessions(ctx, now, idleBefore, limit)
		if err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		n = len(ended)
		if s.OnExpire == nil {
			return nil
		}
		for _, x := range ended {
			if now.Before(x.ExpiresAt) {
				continue // idle, not past its lifetime
			}
			if err := s.OnExpire(ctx, x); err != nil {
				return fmt.Errorf("end expired session: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// IdleExpiry returns when the session ends if it is not used again.
func (s *Service) IdleExpiry(sess *Session) time.Time {
	if s.Config.IdleTimeout <= 0 {
		return sess.ExpiresAt
	}
	idle := sess.LastSeenAt.Add(s.Config.IdleTimeout)
	if idle.Before(sess.ExpiresAt) {
		return idle
	}
	return sess.ExpiresAt
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
