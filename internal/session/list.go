package session

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/civis-id/civis/internal/store"
)

// ListStore is the part of a Store that lists an account's sessions, for the citizen's list
// of signed-in devices.
type ListStore interface {
	// AccountSessions returns the account's sessions (expired ones included, until cleanup
	// removes them).
	AccountSessions(ctx context.Context, accountID string) ([]*Session, error)
}

// ErrNotFound is returned by RevokeOne for a session that is not the account's (or is gone).
var ErrNotFound = errors.New("session not found")

func (s *Service) lister() (ListStore, error) {
	ls, ok := s.Store.(ListStore)
	if !ok {
		return nil, errors.New("session store cannot list sessions")
	}
	return ls, nil
}

// ListAccountSessions returns the account's live sessions, the most recently used first.
func (s *Service) ListAccountSessions(ctx context.Context, accountID string) ([]*Session, error) {
	ls, err := s.lister()
	if err != nil {
		return nil, err
	}
	all, err := ls.AccountSessions(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	now := s.Now()
	var out []*Session
	for _, x := range all {
		if now.Before(s.IdleExpiry(x)) {
			out = append(out, x)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastSeenAt.After(out[j].LastSeenAt) })
	return out, nil
}

// RevokeOne ends the account's session id (see Revoke); ErrNotFound when the account has no
// such session.
func (s *Service) RevokeOne(ctx context.Context, accountID, id string) error {
	ls, err := s.lister()
	if err != nil {
		return err
	}
	all, err := ls.AccountSessions(ctx, accountID)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	for _, x := range all {
		if x.ID == id {
			return s.Revoke(ctx, x)
		}
	}
	return ErrNotFound
}

// RevokeAll ends every session of the account except the one with id except ("" for none),
// each through Revoke so that the sites signed in from them are logged out too, all in one
// transaction. It returns how many it ended.
func (s *Service) RevokeAll(ctx context.Context, accountID, except string) (int, error) {
	ls, err := s.lister()
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		n = 0
		all, err := ls.AccountSessions(ctx, accountID)
		if err != nil {
			return fmt.Errorf("list sessions: %w", err)
		}
		for _, x := range all {
			if x.ID == except {
				continue
			}
			if err := s.Revoke(ctx, x); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
