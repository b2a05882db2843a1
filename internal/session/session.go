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
	// DeleteExpiredSessions removes up to limit sessions that expired before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time, limit int) (int, error)
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
