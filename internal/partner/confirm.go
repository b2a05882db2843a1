package partner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
)

// Audit action of a confirmation by a bank, on the citizen's chain (actor "client:<bank id>",
// details: from, to, method, bank_name, bank_id, request_id).
const ActionLevelRaised = "account.level_raised"

// Confirm confirms the identity of the citizen whose standard account holds p's data as
// verified data: the account becomes confirmed with method bank, the citizen is told by
// message, and the bank's request is audited on the citizen's chain. It returns the ledger
// entry that answers the request (done, or rejected with a refusal code), and whether it is
// a replay of an earlier answer. A *flow.ValidationError means the input is not valid and
// ledger.ErrInvalidID that the request id is malformed (nothing recorded either way);
// ledger.ErrReused that the request id was used for another request.
//
// An account already confirmed is refused (account_confirmed) rather than answered as a
// success, also when another path (a letter, an operator) confirmed it while this request ran:
// its confirmation method and who confirmed stay as they are, no notice is sent, and the bank
// must not believe that it vouched for it.
func (s *Service) Confirm(ctx context.Context, bank Bank, requestID string, p Person) (*ledger.Request, bool, error) {
	if err := normalize(requestID, &p, nil, s.now()); err != nil {
		return nil, false, err
	}
	return s.run(ctx, bank, requestID, TypeConfirm, s.fingerprint(TypeConfirm, p), func(ctx context.Context) (ledger.Outcome, error) {
		return s.confirm(ctx, bank, requestID, p)
	})
}

func (s *Service) confirm(ctx context.Context, bank Bank, requestID string, p Person) (ledger.Outcome, error) {
	acc, prof, rej, err := s.findStandard(ctx, p)
	if err != nil {
		return ledger.Outcome{}, err
	}
	if rej != nil {
		return ledger.Outcome{}, rej
	}
	if diff := compare(p, acc, prof); len(diff) > 0 {
		return ledger.Outcome{}, reject(CodeMismatch, "the data differ from the account's verified data in: "+
			fieldList(diff)+"; nothing changed", statusConflict, diff...)
	}
	if acc.Level == account.Confirmed {
		return ledger.Outcome{}, confirmedAlready()
	}
	now := s.now()
	err = s.Accounts.RaiseLevel(ctx, acc.ID, acc.Level, account.Confirmed, Method, now)
	if errors.Is(err, account.ErrLevelChanged) { // confirmed by another path since it was read
		return ledger.Outcome{}, confirmedAlready()
	}
	if err != nil {
		return ledger.Outcome{}, fmt.Errorf("raise level: %w", err)
	}
	if s.Confirmations != nil {
		if err := s.Confirmations.PutConfirmation(ctx, &operator.Confirmation{AccountID: acc.ID, Method: Method,
			BankID: bank.ID, BankName: bank.Name, RequestID: requestID, ConfirmedAt: now}); err != nil {
			return ledger.Outcome{}, fmt.Errorf("record confirmation: %w", err)
		}
	}
	if err := s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionLevelRaised, Actor: "client:" + bank.ID,
		Details: map[string]string{"from": string(account.Standard), "to": string(account.Confirmed), "method": Method,
			"bank_name": bank.Name, "bank_id": bank.ID, "request_id": requestID}}); err != nil {
		return ledger.Outcome{}, err
	}
	if s.Notices != nil {
		if err := s.Notices.TellAll(ctx, acc, messages.BankConfirmed, map[string]any{"Name": acc.FirstName,
			"Bank": bank.Name, "Site": s.SiteURL + "/recover"}); err != nil {
			return ledger.Outcome{}, err
		}
	}
	msg := "identity confirmed by " + bank.Name + "; the account is confirmed"
	return ledger.Outcome{Subject: acc.ID, Status: 200, Message: msg, Result: Result{RequestID: requestID,
		State: StateConfirmed, AccountID: acc.ID, Level: string(account.Confirmed), Message: msg, At: now}}, nil
}

func confirmedAlready() *ledger.Rejection {
	return reject(CodeConfirmed, "the account is already confirmed; nothing changed", statusConflict)
}

// findStandard finds the account whose verified SNILS is p's and its verified profile. It
// refuses with account_not_found when there is none, and with not_standard when the account
// has no verified data yet (or when p's phone belongs to an account below standard).
func (s *Service) findStandard(ctx context.Context, p Person) (*account.Account, *proofing.Profile, *ledger.Rejection, error) {
	acc, err := s.Accounts.FindBySNILS(ctx, p.SNILS)
	if errors.Is(err, store.ErrNotFound) {
		if p.Phone != "" {
			other, err := s.Accounts.FindByContact(ctx, account.Phone, p.Phone)
			if err == nil && !other.Level.AtLeast(account.Standard) {
				return nil, nil, notStandard(), nil
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, nil, nil, err
			}
		}
		return nil, nil, reject(CodeNotFound, "no account has this SNILS as verified data; the bank may register "+
			"the citizen (POST /api/v1/partner/registrations)", statusNotFound), nil
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find by SNILS: %w", err)
	}
	prof, err := s.Profiles.GetProfile(ctx, acc.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notStandard(), nil
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load profile: %w", err)
	}
	if !acc.Level.AtLeast(account.Standard) || prof.Personal.Verified == nil || prof.IDDoc.Verified == nil {
		return nil, nil, notStandard(), nil
	}
	return acc, prof, nil, nil
}

func notStandard() *ledger.Rejection {
	return reject(CodeNotStandard, "the citizen's account has no verified personal data yet: the citizen enters "+
		"them in the cabinet and waits for the registry checks, then the bank confirms", statusConflict)
}

// compare lists the fields of p that differ from the account's verified data. Names compare
// without regard to case, to ё/е and to spacing around hyphens; the passport must be a
// Russian passport with the same series and number. A phone, when the bank sends one, must be
// one of the account's confirmed phones: a bank that knows its client by another phone may be
// vouching for someone else than the holder of the account.
func compare(p Person, acc *account.Account, prof *proofing.Profile) []FieldError {
	var out []FieldError
	add := func(differ bool, field, what string) {
		if differ {
			out = append(out, FieldError{Field: field, Code: "mismatch",
				Message: "the " + what + " differs from the account's verified " + what})
		}
	}
	v, d := prof.Personal.Verified, prof.IDDoc.Verified
	add(foldName(p.LastName) != foldName(v.LastName), "last_name", "last name")
	add(foldName(p.FirstName) != foldName(v.FirstName), "first_name", "first name")
	add(foldName(p.MiddleName) != foldName(v.MiddleName), "middle_name", "middle name")
	add(p.BirthDate != string(v.BirthDate), "birth_date", "birth date")
	rf := d.Type == proofing.RFPassport
	add(!rf || p.PassportSeries != d.Series, "passport_series", "passport series")
	add(!rf || p.PassportNumber != d.Number, "passport_number", "passport number")
	if p.Phone != "" {
		found := false
		for _, c := range acc.Contacts {
			found = found || (c.Kind == account.Phone && c.Verified && c.Value == p.Phone)
		}
		if !found {
			out = append(out, FieldError{Field: "phone", Code: "mismatch",
				Message: "the phone is not the account's confirmed phone"})
		}
	}
	return out
}

var nameFold = strings.NewReplacer("ё", "е", "’", "'", "‘", "'", "ʼ", "'", "‐", "-", "–", "-", "—", "-")

// foldName is a name in the form compared: lower case, ё as е, single spaces, no spaces
// around hyphens.
func foldName(s string) string {
	s = nameFold.Replace(strings.ToLower(strings.Join(strings.Fields(s), " ")))
	return strings.ReplaceAll(strings.ReplaceAll(s, " -", "-"), "- ", "-")
}

func fieldList(fs []FieldError) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Field
	}
	return strings.Join(names, ", ")
}
