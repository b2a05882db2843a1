package httpx

import (
	"errors"

	"github.com/civis-id/civis/internal/flow"
)

// Coded is a domain error that names the problem to answer with. ProblemCode is a machine
// code of the codes table (an unknown code is answered as internal_error). Domain packages
// implement it without importing httpx, which speaks HTTP; they may add [Detailed] and
// [FieldLister].
type Coded interface {
	error
	ProblemCode() string
}

// Detailed is a [Coded] error with a detail for the client.
type Detailed interface {
	ProblemDetail() string
}

// FieldLister is a [Coded] error with field-level errors: ProblemFields calls add for each,
// in order.
type FieldLister interface {
	ProblemFields(add func(field, code, message string))
}

// ProblemFor converts a domain error into a problem: the first [Coded] error of err's chain
// with its detail and field errors, or a [flow.Error]; a flow.Error with the same code in the
// chain gives its Retry-After and proof-of-work challenge. Unknown errors become
// internal_error, logged by the caller.
func ProblemFor(err error) (*Problem, bool) {
	var fe *flow.Error
	hasFlow := errors.As(err, &fe) && known(fe.Code)
	var c Coded
	var p *Problem
	switch {
	case errors.As(err, &c) && known(c.ProblemCode()):
		p = codedProblem(c)
	case hasFlow:
		p = NewProblem(fe.Code, "")
	default:
		return NewProblem("internal_error", ""), false
	}
	if hasFlow && fe.Code == p.Code {
		p.retryAfter, p.PoW = fe.RetryAfter, fe.PoW
	}
	return p, true
}

// codedProblem is the problem c names, with its detail and field errors.
func codedProblem(c Coded) *Problem {
	var detail string
	if d, ok := c.(Detailed); ok {
		detail = d.ProblemDetail()
	}
	p := NewProblem(c.ProblemCode(), detail)
	if fl, ok := c.(FieldLister); ok {
		fl.ProblemFields(func(field, code, message string) {
			p.Errors = append(p.Errors, FieldError{Field: field, Code: code, Message: message})
		})
	}
	return p
}

func known(code string) bool {
	_, ok := codes[code]
	return ok
}
