package flow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/store"
)

// LoginFlow is a sign-in whose password was right, waiting for a second factor. Its id is a
// random token: only the client that typed the password knows it.
//
//	stateDiagram-v2
//	    [*] --> awaiting_second_factor: Login (password right, account has a second factor)
//	    awaiting_second_factor --> awaiting_second_factor: SendLoginCode / PasskeyChallenge / wrong factor
//	    awaiting_second_factor --> [*]: SecondFactor right (session) / attempts spent / expired
type LoginFlow struct {
	ID        string
	AccountID string
	Methods   []string // the second factors offered
	AMR       []string // the methods already passed: ["pwd"]
	Attempts  int      // second factors tried (right or wrong)
	SMS       LoginSMS // the last SMS code sent
	// PasskeyCeremony is the passkey prompt started for this sign-in, if any.
	PasskeyCeremony string
	CreatedAt       time.Time
	ExpiresAt       time.Time
	Version         int // optimistic concurrency; the store bumps it on update
}

// LoginSMS is the code sent by SMS for a sign-in.
type LoginSMS struct {
	Hash      string // keyed hash; empty when no code is valid
	SentAt    time.Time
	ExpiresAt time.Time
	Attempts  int
}

// LoginStore persists sign-ins waiting for a second factor, sealed at rest.
type LoginStore interface {
	CreateLogin(ctx context.Context, l *LoginFlow) error
	// GetLogin returns the flow even when expired, or store.ErrNotFound.
	GetLogin(ctx context.Context, id string) (*LoginFlow, error)
	// UpdateLogin writes l if its Version is still current and bumps it; otherwise
	// store.ErrConflict.
	UpdateLogin(ctx context.Context, l *LoginFlow) error
	DeleteLogin(ctx context.Context, id string) error
}

// GetLogin returns a live sign-in waiting for its second factor.
func (s *Service) GetLogin(ctx context.Context, id string) (*LoginFlow, error) {
	if id == "" || len(id) > 64 {
		return nil, ErrLoginNotFound
	}
	l, err := s.Logins.GetLogin(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrLoginNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load sign-in: %w", err)
	}
	if !s.Now().Before(l.ExpiresAt) {
		return nil, ErrLoginExpired
	}
	return l, nil
}

// updateLogin loads the flow, applies fn and saves it, retrying when a concurrent step
// changed it first, so that no attempt is lost to a race.
func (s *Service) updateLogin(ctx context.Context, id string, fn func(l *LoginFlow) error) (*LoginFlow, error) {
	for range 5 {
		l, err := s.GetLogin(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(l); err != nil {
			return nil, err
		}
		err = s.Logins.UpdateLogin(ctx, l)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update sign-in: %w", err)
		}
		return l, nil
	}
	return nil, fmt.Errorf("update sign-in: %w", store.ErrConflict)
}
