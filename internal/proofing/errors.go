package proofing

import "fmt"

// FieldError is a problem with one input field. Field is the API's JSON path
// ("id_doc.series"); Message is English, pages translate Code.
type FieldError struct {
	Field   string
	Code    string
	Message string
}

// Error is a refusal the citizen can act on, with a stable machine code the HTTP layers map to
// a status: validation_failed and field_locked carry Fields.
type Error struct {
	Code   string
	Detail string // English explanation
	Fields []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %d field errors", e.Code, len(e.Fields))
	}
	return e.Code
}

// Errors returned by the Service.
var (
	ErrCheckInProgress = &Error{Code: "check_in_progress",
		Detail: "the data are being checked; wait for the result before submitting again"}
	ErrNothingToCheck = &Error{Code: "nothing_to_check",
		Detail: "no personal data, SNILS, identity document or INN has changed since the last check"}
	ErrSNILSTaken = &Error{Code: "snils_taken",
		Detail: "this SNILS is already verified on another account. If that account is yours, restore " +
			"access to it: use password recovery on the sign-in page, or visit a service center with " +
			"your passport. One person can have only one account."}
	ErrUnavailable = &Error{Code: "unavailable", Detail: "registry checks are not configured on this server"}
)

// fields collects field errors.
type fields []FieldError

func (f *fields) add(field, code, msg string) {
	*f = append(*f, FieldError{Field: field, Code: code, Message: msg})
}

func (f fields) err(code string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: code, Fields: f}
}
