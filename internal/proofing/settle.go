package proofing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/registry"
	"github.com/civis-id/civis/internal/store"
)

// The outcome of a whole submission, written in the transaction of its deciding check.

// pass promotes the pending versions, raises a simplified account to standard and tells the
// citizen. A SNILS verified meanwhile on another account fails the submission instead: found
// by the look-up, or, when that account's verification committed after it, by the unique
// index (store.ErrTaken), which fails this transaction so that finish's next run finds it.
func (s *Service) pass(ctx context.Context, subID, accountID string) error {
	prof, err := s.Store.GetProfile(ctx, accountID)
	if err != nil {
		return err
	}
	if sn := prof.SNILS.Pending; sn != nil {
		owner, err := s.Store.VerifiedSNILSOwner(ctx, *sn)
		switch {
		case err == nil && owner != accountID:
			if err := s.fail(ctx, subID, accountID, registry.NameSNILS, "snils_taken"); err != nil {
				return err
			}
			return s.warnOwner(ctx, accountID, owner, *sn)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	now := s.now()
	if ok, err := s.Store.FinishSubmission(ctx, subID, SubmissionVerified, "", now); err != nil || !ok {
		return err
	}
	var names *Personal
	_, err = s.Store.UpdateProfile(ctx, accountID, func(p *Profile) error {
		names = p.Personal.Pending
		p.promote(now)
		return nil
	})
	if err != nil {
		// store.ErrTaken: the SNILS was verified on another account since the look-up above;
		// another store.ErrConflict: a lost race (a deadlock, say). Either way the whole
		// transaction must roll back (it marked the submission verified, and PostgreSQL
		// aborts it at the error), so nothing is settled here: finish runs the transaction
		// again with the same answer, and its look-up finds the owner and fails the
		// submission with snils_taken, or the promotion goes through.
		return fmt.Errorf("promote profile: %w", err)
	}
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return err
	}
	raised, err := s.raise(ctx, acc, names, now)
	if err != nil {
		return err
	}
	if err := s.record(ctx, accountID, ActionVerified, "system", "", map[string]string{"submission_id": subID}); err != nil {
		return err
	}
	return s.tellAccount(ctx, acc, tplVerified, map[string]any{"Raised": raised})
}

// raise updates the account's names to the verified ones and a simplified account's level to
// standard (a standard or confirmed account keeps its level).
func (s *Service) raise(ctx context.Context, acc *account.Account, names *Personal, now time.Time) (bool, error) {
	accountID := acc.ID
	if names != nil && (names.LastName != acc.LastName || names.FirstName != acc.FirstName || names.MiddleName != acc.MiddleName) {
		if err := s.Accounts.SetNames(ctx, accountID, names.LastName, names.FirstName, names.MiddleName, now); err != nil {
			return false, err
		}
		acc.LastName, acc.FirstName, acc.MiddleName = names.LastName, names.FirstName, names.MiddleName
	}
	err := s.Accounts.RaiseLevel(ctx, accountID, account.Simplified, account.Standard, "", now)
	if errors.Is(err, account.ErrLevelChanged) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.record(ctx, accountID, ActionLevelRaised, "system", "",
		map[string]string{"from": string(account.Simplified), "to": string(account.Standard)})
}

// fail ends the submission with reason, cancels its other checks, marks the items concerned
// and unlocks the profile; the verified versions stay in force.
func (s *Service) fail(ctx context.Context, subID, accountID, reg, reason string) error {
	now := s.now()
	if ok, err := s.Store.FinishSubmission(ctx, subID, SubmissionFailed, reason, now); err != nil || !ok {
		return err
	}
	_, err := s.Store.UpdateProfile(ctx, accountID, func(p *Profile) error {
		f := Failure{Registry: reg, Reason: reason, At: now}
		if !p.failure(itemOf(reg), f) || personRelated(reason) {
			p.failure(ItemPersonal, f)
		}
		p.Submission = ""
		return nil
	})
	if err != nil {
		return err
	}
	err = s.record(ctx, accountID, ActionCheckFailed, "system", "",
		map[string]string{"submission_id": subID, "registry": reg, "reason": reason})
	if err != nil {
		return err
	}
	return s.tell(ctx, accountID, tplCheckFailed, map[string]any{"Reason": reason})
}

// itemOf is the item a registry checks besides the personal data.
func itemOf(reg string) Item {
	switch reg {
	case registry.NameSNILS:
		return ItemSNILS
	case registry.NameDocument:
		return ItemIDDoc
	}
	return ItemINN
}

func personRelated(reason string) bool {
	return reason == "name_mismatch" || reason == "birth_date_mismatch"
}

// Message templates sent by the Service.
const (
	tplVerified    = messages.ProfileVerified
	tplCheckFailed = messages.ProfileCheckFailed
	tplSNILSTaken  = messages.SNILSTaken
)

// tell queues tpl to every confirmed contact of the account.
func (s *Service) tell(ctx context.Context, accountID string, tpl messages.Template, data map[string]any) error {
	if s.Outbox == nil {
		return nil
	}
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.tellAccount(ctx, acc, tpl, data)
}

// tellAccount queues tpl to every confirmed contact of acc.
func (s *Service) tellAccount(ctx context.Context, acc *account.Account, tpl messages.Template, data map[string]any) error {
	if s.Outbox == nil {
		return nil
	}
	data["Name"], data["Site"] = acc.FirstName, s.Config.SiteURL+"/profile"
	for _, c := range acc.Contacts {
		if !c.Verified {
			continue
		}
		ch := notify.Email
		if c.Kind == account.Phone {
			ch = notify.SMS
		}
		if err := s.Outbox.Send(ctx, ch, c.Value, acc.Locale, tpl, data); err != nil {
			return err
		}
	}
	return nil
}
