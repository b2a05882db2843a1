package flow

import (
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/pow"
)

// Error is a failure the user can act on, with a stable machine code. The HTTP layers map codes
// to statuses and translated messages.
type Error struct {
	Code       string
	RetryAfter time.Duration  // for rate_limited
	PoW        *pow.Challenge // for pow_required: the challenge to solve
}

func (e *Error) Error() string { return e.Code }

// Errors returned by the Service.
var (
	ErrFlowNotFound        = &Error{Code: "registration_not_found"}
	ErrFlowExpired         = &Error{Code: "registration_expired"}
	ErrFlowCompleted       = &Error{Code: "registration_completed"}
	ErrNotConfirmed        = &Error{Code: "contacts_not_confirmed"}
	ErrCodeInvalid         = &Error{Code: "code_invalid"}
	ErrCodeExpired         = &Error{Code: "code_expired"}
	ErrCodeAttempts        = &Error{Code: "code_attempts_exceeded"}
	ErrContactRegistered   = &Error{Code: "contact_already_registered"}
	ErrInvalidCredentials  = &Error{Code: "invalid_credentials"}
	ErrPasswordChangeFirst = &Error{Code: "password_change_required"}
	ErrLoginNotFound       = &Error{Code: "login_not_found"}
	ErrLoginExpired        = &Error{Code: "login_expired"}
	ErrLoginAttempts       = &Error{Code: "login_attempts_exceeded"}
)

// PoWRequired returns the pow_required error with the challenge to solve.
func PoWRequired(c pow.Challenge) *Error {
	return &Error{Code: "pow_required", PoW: &c}
}

// RateLimited returns the rate_limited error with the time to wait.
func RateLimited(after time.Duration) *Error {
	return &Error{Code: "rate_limited", RetryAfter: after}
}

// FieldError is a problem with one input field.
type FieldError struct {
	Field   string
	Code    string
	Message string // English; pages translate Code
}

// ValidationError lists every field problem of one input. Code is the problem code of the
// whole answer (validation_failed, or password_too_weak for the password step).
type ValidationError struct {
	Code   string
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %d field errors", e.Code, len(e.Fields))
}

// ProblemCode is the problem code of the HTTP answer.
func (e *ValidationError) ProblemCode() string { return e.Code }

// ProblemFields lists the field errors for the HTTP answer.
func (e *ValidationError) ProblemFields(add func(field, code, message string)) {
	for _, f := range e.Fields {
		add(f.Field, f.Code, f.Message)
	}
}

func (e *ValidationError) add(field, code, msg string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, Message: msg})
}

func (e *ValidationError) orNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}
