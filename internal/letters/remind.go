package letters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/store"
)

type reminderPayload struct {
	LetterID string `json:"letter_id"`
}

// Handle is the reminder job, due ReminderAfter after a letter was sent: if its code is still
// valid and unused, the citizen's confirmed contacts are reminded, once (RemindedAt), in one
// transaction. It does nothing for a letter used, expired, void or returned meanwhile.
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p reminderPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.LetterID == "" {
		return jobs.Permanent(fmt.Errorf("decode letter reminder: %w", errors.Join(err, errors.New("no letter id"))))
	}
	for range 5 {
		err := s.Tx.InTx(ctx, func(ctx context.Context) error { return s.remind(ctx, p.LetterID) })
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("letter reminder: %w", store.ErrConflict)
}

func (s *Service) remind(ctx context.Context, letterID string) error {
	l, err := s.Store.GetLetter(ctx, letterID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	if !l.RemindedAt.IsZero() || l.StateAt(now) != l.State || !l.State.CodeValid() {
		return nil
	}
	acc, err := s.Accounts.GetAccount(ctx, l.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if acc.State != account.Active || acc.Level != account.Standard {
		return nil
	}
	l.RemindedAt = now
	if err := s.Store.UpdateLetter(ctx, l); err != nil {
		return err
	}
	if s.Notices == nil {
		return nil
	}
	return s.Notices.TellAll(ctx, acc, messages.LetterReminder, map[string]any{"Name": acc.FirstName,
		"Site": s.Config.SiteURL + "/account/letter", "Until": l.ExpiresAt.Format("02.01.2006")})
}
