package partner

import (
	"context"
	"errors"
	"fmt"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/store"
)

// Register registers the bank's client, who has no account, at the confirmed level (method
// bank): operator.Service.Enroll creates the account, its contacts and profile, queues the
// registry checks (they still run) and sends the activation link by SMS to r's phone, all in
// the ledger's transaction. An account with r's SNILS is refused with account_exists (confirm
// it instead); a phone or email that belongs to another account with
// contact_already_registered, or with not_standard when that account has no verified data
// (the citizen completes it, then the bank confirms). Past the limits on activation messages
// (per phone, per bank) the request fails with a *ledger.Failure rate_limited wrapping flow's
// rate_limited error: nothing changes, the ledger records it as failed, and the same request
// id may be resent after the window. Results are as for Confirm.
func (s *Service) Register(ctx context.Context, bank Bank, requestID string, r Registration) (*ledger.Request, bool, error) {
	if err := normalize(requestID, &r.Person, &r, s.now()); err != nil {
		return nil, false, err
	}
	if s.Enroller == nil {
		return nil, false, &Error{Code: "unavailable"}
	}
	return s.run(ctx, bank, requestID, TypeRegister, s.fingerprint(TypeRegister, r), func(ctx context.Context) (ledger.Outcome, error) {
		return s.register(ctx, bank, requestID, r)
	})
}

func (s *Service) register(ctx context.Context, bank Bank, requestID string, r Registration) (ledger.Outcome, error) {
	_, err := s.Accounts.FindBySNILS(ctx, r.SNILS)
	switch {
	case err == nil:
		return ledger.Outcome{}, reject(CodeExists, "an account with this SNILS exists; confirm the citizen's identity "+
			"instead (POST /api/v1/partner/confirmations)", statusConflict)
	case !errors.Is(err, store.ErrNotFound):
		return ledger.Outcome{}, fmt.Errorf("find by SNILS: %w", err)
	}
	if rej, err := s.contactFree(ctx, account.Phone, "phone", r.Phone); err != nil || rej != nil {
		return ledger.Outcome{}, orRejection(err, rej)
	}
	if r.Email != "" {
		if rej, err := s.contactFree(ctx, account.Email, "email", r.Email); err != nil || rej != nil {
			return ledger.Outcome{}, orRejection(err, rej)
		}
	}
	id, err := s.Enroller.Enroll(ctx, operator.Enrollment{
		RegisterInput: operator.RegisterInput{
			LastName: r.LastName, FirstName: r.FirstName, MiddleName: r.MiddleName, Phone: r.Phone, Email: r.Email,
			Gender: r.Gender, BirthDate: r.BirthDate, BirthPlace: r.BirthPlace, Citizenship: "RUS", SNILS: r.SNILS,
			Passport: operator.Passport{Series: r.PassportSeries, Number: r.PassportNumber, IssueDate: r.PassportIssueDate,
				Issuer: r.PassportIssuer, DepartmentCode: r.PassportDepartmentCode},
			Activation: operator.ActivationLink,
		},
		Method: Method, BankID: bank.ID, BankName: bank.Name, RequestID: requestID,
	})
	if err != nil {
		return ledger.Outcome{}, err
	}
	now := s.now()
	msg := "the citizen was registered at the confirmed level; an SMS with a link to set the password was sent, " +
		"and the registry checks run"
	return ledger.Outcome{Subject: id, Status: 201, Message: msg, Result: Result{RequestID: requestID,
		State: StateRegistered, AccountID: id, Level: string(account.Confirmed), Message: msg, At: now}}, nil
}

// contactFree refuses a contact that already belongs to an account.
func (s *Service) contactFree(ctx context.Context, kind account.ContactKind, field, value string) (*ledger.Rejection, error) {
	other, err := s.Accounts.FindByContact(ctx, kind, value)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("find by %s: %w", field, err)
	case kind == account.Phone && !other.Level.AtLeast(account.Standard):
		return notStandard(), nil
	}
	return reject(CodeContactTaken, "the "+field+" belongs to another account; nothing changed", statusConflict,
		FieldError{Field: field, Code: "taken", Message: "this " + field + " belongs to another account"}), nil
}

func orRejection(err error, rej *ledger.Rejection) error {
	if err != nil {
		return err
	}
	return rej
}
