package operator

import "github.com/civis-id/civis/internal/ledger"

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
