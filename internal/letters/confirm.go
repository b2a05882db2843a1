package letters

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/store"
)

// Confirm checks the code the citizen typed against the newest letter. The right code
// confirms the account with method mail_code, audited and told to the citizen's contacts. A
// wrong code counts against WrongCodes (rate_limited once spent); the count is kept even
// though the step fails.
func (s *Service) Confirm(ctx context.Context, accountID, typed string, m Meta) error {
	code, err := Normalize(typed)
	if err != nil {
		return &flow.ValidationError{Code: "validation_failed", Fields: []flow.FieldError{{Field: "code",
			Code: "code_format", Message: err.Error()}}}
	}
	if err := s.peek(ctx, accountID); err != nil {
		return err
	}
	for range 5 {
		var stepErr error
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			var err error
			stepErr, err = s.check(ctx, accountID, code, m)
			return err
		})
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("confirm letter code: %w", err)
		}
		return stepErr
	}
	return fmt.Errorf("confirm letter code: %w", store.ErrConflict)
}

// check runs inside Confirm's transaction. stepErr is the citizen's error, returned after the
// commit so that what the step recorded (a wrong entry, an expiry) stays; err rolls back.
func (s *Service) check(ctx context.Context, accountID, code string, m Meta) (stepErr, err error) {
	if err := s.Store.LockAccountLetters(ctx, accountID); err != nil {
		return nil, err
	}
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	switch {
	case acc.Level == account.Confirmed:
		return ErrAlreadyConfirmed, nil
	case acc.Level != account.Standard || acc.State != account.Active:
		return ErrStandardRequired, nil
	}
	list, err := s.Store.AccountLetters(ctx, accountID, 1)
	if err != nil {
		return nil, fmt.Errorf("load letters: %w", err)
	}
	now := s.now()
	if len(list) == 0 || !list[0].State.CodeValid() {
		return ErrNotSent, nil
	}
	l := list[0]
	if l.StateAt(now) == Expired {
		l.end(Expired, now)
		if err := s.Store.UpdateLetter(ctx, l); err != nil {
			return nil, err
		}
		return flow.ErrCodeExpired, s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: ActionExpired,
			Actor: "system", Details: map[string]string{"letter_id": l.ID}})
	}
	if l.CodeHash == "" || !s.CodeKey.Equal(codeScope(l.ID), code, l.CodeHash) {
		return s.wrong(ctx, accountID)
	}
	return s.use(ctx, acc, l, now, m)
}

// use confirms the account, if it is still at the level it was read at, and marks the letter
// used. An account that another path (a bank, an operator) confirmed meanwhile answers the
// citizen already_confirmed, with the letter, the audit log and the contacts left alone.
func (s *Service) use(ctx context.Context, acc *account.Account, l *Letter, now time.Time, m Meta) (stepErr, err error) {
	err = s.Accounts.RaiseLevel(ctx, acc.ID, acc.Level, account.Confirmed, Method, now)
	if errors.Is(err, account.ErrLevelChanged) {
		return ErrAlreadyConfirmed, nil
	}
	if err != nil {
		return nil, fmt.Errorf("raise level: %w", err)
	}
	l.State, l.CodeHash, l.UsedAt = Used, "", now
	if err := s.Store.UpdateLetter(ctx, l); err != nil {
		return nil, err
	}
	err = s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionLevelRaised, Actor: "self", IP: m.IP,
		Details: map[string]string{"from": string(acc.Level), "to": string(account.Confirmed),
			"method": Method, "letter_id": l.ID}})
	if err != nil {
		return nil, err
	}
	return nil, s.tellConfirmed(ctx, acc)
}

// tellConfirmed sends the citizen's contacts the news of the confirmation.
func (s *Service) tellConfirmed(ctx context.Context, acc *account.Account) error {
	if s.Notices == nil {
		return nil
	}
	return s.Notices.TellAll(ctx, acc, messages.LetterConfirmed, map[string]any{"Name": acc.FirstName,
		"Site": s.Config.SiteURL + "/cabinet"})
}

// peek refuses a check once the account's wrong entries are spent.
func (s *Service) peek(ctx context.Context, accountID string) error {
	if s.Limiter == nil {
		return nil
	}
	d, err := s.Limiter.Peek(ctx, s.Config.WrongCodes, "account:"+accountID)
	if err != nil {
		return err
	}
	if !d.Allowed {
		return flow.RateLimited(d.RetryAfter)
	}
	return nil
}

// wrong counts a wrong entry; its results are check's.
func (s *Service) wrong(ctx context.Context, accountID string) (stepErr, err error) {
	if s.Limiter == nil {
		return flow.ErrCodeInvalid, nil
	}
	if _, err := s.Limiter.Hit(ctx, s.Config.WrongCodes, "account:"+accountID); err != nil {
		return nil, err
	}
	return flow.ErrCodeInvalid, nil
}
