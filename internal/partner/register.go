package partner

import (
	"context"
	"errors"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
)

// Register registers the bank's client, who has no account, at the confirmed level (method
// bank): operator.Service.Enroll creates the account, its contacts and profile, queues the
// registry checks (they still run) and sends the activation link by SMS to r's phone, all in
// the ledger's transaction. An active account with r's SNILS as verified data is refused with
// account_exists (confirm it instead); a phone or email that belongs to another account with
// contact_already_registered, or with not_standard when that account has no verified data
// (the citizen completes it, then the bank confirms); other existing accounts with Enroll's
// refusal. These answers come from Enroll's single lookup (see existing). Past the limits on
// activation messages (per phone, per bank) the request fails with a *ledger.Failure
// rate_limited wrapping flow's rate_limited error: nothing changes, the ledger records it as
// failed, and the same request id may be resent after the window. Results are as for Confirm.
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
		return ledger.Outcome{}, existing(err)
	}
	now := s.now()
	msg := "the citizen was registered at the confirmed level; an SMS with a link to set the password was sent, " +
		"and the registry checks run"
	return ledger.Outcome{Subject: id, Status: 201, Message: msg, Result: Result{RequestID: requestID,
		State: StateRegistered, AccountID: id, Level: string(account.Confirmed), Message: msg, At: now}}, nil
}

// existing answers Enroll's refusal of accounts that exist by the partner API's rules, in
// their order: an active account with the SNILS as verified data is account_exists (confirm it
// instead); one owning the phone is not_standard when it is below the standard level, else
// contact_already_registered, as is one owning the email. Any other refusal is Enroll's own.
func existing(err error) error {
	var x *operator.ExistsError
	if !errors.As(err, &x) {
		return err
	}
	if _, ok := x.Active(operator.BySNILS); ok {
		return reject(CodeExists, "an account with this SNILS exists; confirm the citizen's identity "+
			"instead (POST /api/v1/partner/confirmations)", statusConflict)
	}
	if m, ok := x.Active(operator.ByPhone); ok {
		if !m.Level.AtLeast(account.Standard) {
			return notStandard()
		}
		return contactTaken("phone")
	}
	if _, ok := x.Active(operator.ByEmail); ok {
		return contactTaken("email")
	}
	return err
}

// contactTaken refuses a contact that belongs to another account.
func contactTaken(field string) *ledger.Rejection {
	return reject(CodeContactTaken, "the "+field+" belongs to another account; nothing changed", statusConflict,
		FieldError{Field: field, Code: "taken", Message: "this " + field + " belongs to another account"})
}
