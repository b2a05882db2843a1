package session

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AuthTimeStore is the optional part of a Store that records a new sign-in on a live session
// (the citizen typed the password again to change security settings).
type AuthTimeStore interface {
	SetSessionAuthTime(ctx context.Context, id string, at time.Time) error
}

// Recent reports whether sess signed in at most within ago.
func (s *Service) Recent(sess *Session, within time.Duration) bool {
	return s.Now().Sub(sess.AuthTime) <= within
}

// Reauthenticated records that the citizen proved again who they are on sess, now.
func (s *Service) Reauthenticated(ctx context.Context, sess *Session) error {
	st, ok := s.Store.(AuthTimeStore)
	if !ok {
		return errors.New("session store cannot record a new sign-in")
	}
	now := s.Now().UTC()
	if err := st.SetSessionAuthTime(ctx, sess.ID, now); err != nil {
		return fmt.Errorf("record sign-in: %w", err)
	}
	sess.AuthTime = now
	return nil
}
