package operator

import (
	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ledger"
)

// HTTP statuses of the refusals (the domain does not import net/http).
const (
	statusForbidden   = 403
	statusNotFound    = 404
	statusConflict    = 409
	statusGone        = 410
	statusUnprocessed = 422
	statusTooMany     = 429 // rate_limited: a failure to resend later, not a refusal
)

// FieldError is a problem with one input field, as the API lists it.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Refusal codes, following the escalation path of service centers.
const (
	CodeAccountExists      = "account_exists"      // an account exists: confirm it instead of registering
	CodeAccountConfirmed   = "account_confirmed"   // already confirmed: restore access instead
	CodeChecksRunning      = "checks_running"      // registry checks are running: wait
	CodeCheckFailed        = "check_failed"        // a registry check failed: the message says which and why
	CodeNotStandard        = "not_standard"        // confirming needs a standard account
	CodePassportMismatch   = "passport_mismatch"   // the re-typed passport number differs
	CodeAccountNotFound    = "account_not_found"   // no such active account
	CodeDuplicateConfirmed = "duplicate_confirmed" // the account to remove is confirmed: keep it
	CodeNotSamePerson      = "not_same_person"     // the two accounts are not provably the same person
	CodeValidationFailed   = "validation_failed"
	CodeForbidden          = "forbidden"
	CodeRequestNotFound    = "request_not_found"
	CodeActivationInvalid  = "activation_invalid"
)

func reject(code string, status int, msg string) *ledger.Rejection {
	return &ledger.Rejection{Code: code, Status: status, Message: msg}
}

// Errors of the Service outside the escalation path.
var (
	// ErrForbidden: the actor is not staff at the center it acts for.
	ErrForbidden = reject(CodeForbidden, statusForbidden, "the operator is not staff at this center")
	// ErrRequestNotFound: the client sent no request with this id.
	ErrRequestNotFound = reject(CodeRequestNotFound, statusNotFound, "no request with this request_id")
	// ErrActivationInvalid: the activation link is unknown, used or expired.
	ErrActivationInvalid = reject(CodeActivationInvalid, statusGone,
		"the activation link is not valid or has expired; a service center can send a new one")

	errAccountNotFound = reject(CodeAccountNotFound, statusNotFound, "no active account with this id")
)

// fields collects field errors into a validation_failed rejection.
type fields []FieldError

func (f *fields) add(field, code, msg string) {
	*f = append(*f, FieldError{Field: field, Code: code, Message: msg})
}

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return &ledger.Rejection{Code: CodeValidationFailed, Status: statusUnprocessed,
		Message: "the input is not valid", Detail: []FieldError(f)}
}

// Match is an existing account that one of an enrollee's identifiers designates.
type Match struct {
	By        string // the identifier: BySNILS, ByPassport, ByPhone or ByEmail
	AccountID string
	Level     account.Level
	Deleted   bool // deleted and not yet erased: restorable
	Verified  bool // the account holds the identifier as verified data, not only as typed at enrollment
}

// ExistsError is the refusal of an enrollment whose identifiers designate existing accounts.
// It unwraps to the operator's *ledger.Rejection, which fits the first account found in the
// order SNILS, passport, phone, email. Matches lists every account found, in that order and
// active ones first, so that a caller with rules of its own (the partner API) can answer by
// them from this one lookup.
type ExistsError struct {
	Matches []Match
	Refusal error // the operator's answer, a *ledger.Rejection
}

// Error returns the operator's refusal's text.
func (e *ExistsError) Error() string { return e.Refusal.Error() }

// Unwrap returns the operator's refusal, a *ledger.Rejection.
func (e *ExistsError) Unwrap() error { return e.Refusal }

// Active returns the first match by the identifier whose account is active and holds it as
// verified data.
func (e *ExistsError) Active(by string) (Match, bool) {
	for _, m := range e.Matches {
		if m.By == by && !m.Deleted && m.Verified {
			return m, true
		}
	}
	return Match{}, false
}
