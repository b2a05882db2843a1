package operator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/messages"
)

// Confirm confirms the identity of a standard account in person: the operator compared the
// passport with the profile and re-typed its number (6 digits, or the 10 of series and
// number), which must match the verified passport. The account becomes confirmed (method
// in_person, with the center and the operator) and the citizen is told.
func (s *Service) Confirm(ctx context.Context, a Actor, requestID, accountID, passportNumber string) (*ledger.Request, bool, error) {
	input := map[string]string{"account_id": accountID, "passport_number": passportNumber}
	return s.do(ctx, a, requestID, TypeConfirm, input, nil, func(ctx context.Context) (ledger.Outcome, error) {
		st, err := s.loadActive(ctx, accountID)
		if err != nil {
			return ledger.Outcome{}, err
		}
		if err := confirmable(st, passportNumber); err != nil {
			return ledger.Outcome{}, err
		}
		now := s.now()
		if err := s.raise(ctx, st.acc, now); err != nil {
			return ledger.Outcome{}, err
		}
		err = s.Store.PutConfirmation(ctx, &Confirmation{AccountID: accountID, Method: MethodInPerson,
			CenterID: a.CenterID, OperatorID: a.OperatorID, RequestID: requestID, ConfirmedAt: now})
		if err != nil {
			return ledger.Outcome{}, err
		}
		if err := s.record(ctx, a, ActionConfirmed, accountID, s.details(ctx, a, requestID)); err != nil {
			return ledger.Outcome{}, err
		}
		st.acc.Level, st.acc.ConfirmationMethod = account.Confirmed, MethodInPerson
		data := map[string]any{"Name": st.acc.FirstName, "Site": s.Config.SiteURL, "Center": s.centerName(ctx, a.CenterID)}
		if err := s.sendFirst(ctx, st.acc, messages.OperatorConfirmed, data); err != nil {
			return ledger.Outcome{}, err
		}
		return ledger.Outcome{Subject: accountID, Message: "identity confirmed in person",
			Result: s.result(requestID, st.acc, "Identity confirmed; the account is confirmed.")}, nil
	})
}

// raise confirms acc in person if it is still at the level it was read at. An account that
// another path (a bank, a letter) confirmed meanwhile is refused with account_confirmed,
// which rolls the request back: no notice, no audit event.
func (s *Service) raise(ctx context.Context, acc *account.Account, now time.Time) error {
	err := s.Accounts.RaiseLevel(ctx, acc.ID, acc.Level, account.Confirmed, MethodInPerson, now)
	if errors.Is(err, account.ErrLevelChanged) {
		return reject(CodeAccountConfirmed, statusConflict,
			"The account was confirmed meanwhile by another method: nothing changed; restore access instead if needed.")
	}
	if err != nil {
		return fmt.Errorf("raise level: %w", err)
	}
	return nil
}

// loadActive loads the state of an active account, or refuses with account_not_found.
func (s *Service) loadActive(ctx context.Context, id string) (*state, error) {
	if id == "" || len(id) > 100 {
		return nil, errAccountNotFound
	}
	st, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.acc == nil || st.deleted {
		return nil, errAccountNotFound
	}
	return st, nil
}

// confirmable follows the escalation path for a confirmation and compares the passport.
func confirmable(st *state, typed string) error {
	switch adv, msg := st.advise(); adv {
	case AdviseRestore:
		return reject(CodeAccountConfirmed, statusConflict, "The account is already confirmed: restore access instead if needed.")
	case AdviseWaitChecks:
		return reject(CodeChecksRunning, statusConflict, msg)
	case AdviseCheckFailed:
		return reject(CodeCheckFailed, statusConflict, msg)
	case AdviseFillProfile:
		return reject(CodeNotStandard, statusConflict, "Confirming needs a standard account with a verified SNILS and passport. "+msg)
	}
	d := st.prof.IDDoc.Verified
	digits := passportDigits(typed)
	var f fields
	switch {
	case digits == "":
		f.add("passport_number", "required", "re-type the passport number from the passport in hand")
		return f.err()
	case digits == d.Number, digits == d.Series+d.Number:
		return nil
	}
	return reject(CodePassportMismatch, statusUnprocessed,
		"The passport number differs from the verified passport of the account: check the passport in hand.")
}
