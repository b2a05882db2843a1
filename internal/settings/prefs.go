package settings

import (
	"context"
	"fmt"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/session"
)

// NotificationPrefs returns the account's notification settings, defaults filled in.
func (s *Service) NotificationPrefs(ctx context.Context, accountID string) (notice.Prefs, error) {
	return s.Notices.Prefs(ctx, accountID)
}

// SetNotificationPrefs replaces the settings of the kinds p names; the others keep theirs.
func (s *Service) SetNotificationPrefs(ctx context.Context, sess *session.Session, p notice.Prefs, m flow.Meta) (notice.Prefs, error) {
	if err := p.Validate(); err != nil {
		return nil, validation("validation_failed", "kind", "invalid_choice", err.Error())
	}
	var out notice.Prefs
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Notices.Prefs(ctx, sess.AccountID)
		if err != nil {
			return err
		}
		for k, c := range p {
			cur[k] = c
		}
		if err := s.Notices.Store.SetNotificationPrefs(ctx, sess.AccountID, cur, s.Now().UTC()); err != nil {
			return fmt.Errorf("save notification settings: %w", err)
		}
		out = cur
		return s.record(ctx, sess.AccountID, ActionNoticesChanged, m.IP, nil)
	})
	return out, err
}
