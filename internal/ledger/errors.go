package ledger

import "encoding/json"

// The HTTP layers answer these errors with the problems their Problem methods name
// (httpx.Coded): the code, the message as the detail, and the field errors.

// Rejection is an operation's refusal that the ledger records and replays: the request was
// understood and answered, and nothing changed. Any other error is a failure: nothing is
// recorded but the failure, and the client may resend.
type Rejection struct {
	Code    string
	Message string
	Status  int
	// Detail is the problem's field errors to replay: a list of values that encode as JSON
	// objects {field, code, message}; nil for a plain problem.
	Detail any
}

func (r *Rejection) Error() string { return r.Code + ": " + r.Message }

// ProblemCode is the problem code of the HTTP answer.
func (r *Rejection) ProblemCode() string { return r.Code }

// ProblemDetail is the problem's detail: the message.
func (r *Rejection) ProblemDetail() string { return r.Message }

// ProblemFields lists the field errors of Detail, as a replay reads them from the stored
// answer.
func (r *Rejection) ProblemFields(add func(field, code, message string)) {
	b, err := json.Marshal(r.Detail)
	if err != nil {
		return
	}
	var fs []struct {
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(b, &fs) // not a list: no field errors
	for _, f := range fs {
		add(f.Field, f.Code, f.Message)
	}
}

// Refusal returns the stored refusal of a rejected request, to answer it again.
func (r *Request) Refusal() *Rejection {
	return &Rejection{Code: r.Code, Message: r.Message, Status: r.Status, Detail: json.RawMessage(r.Result)}
}

// Failure is an operation's refusal to act now that the client may resend later under the
// same request id (rate_limited, with Retry-After): like any failure, nothing changed and
// the request is recorded as failed, so a resend runs the operation again; but the ledger
// records the failure's own code, message and status instead of internal. Err is the cause,
// which Do returns wrapped (errors.As finds it).
type Failure struct {
	Code    string
	Message string
	Status  int
	Err     error
}

func (f *Failure) Error() string { return f.Code + ": " + f.Message }

// Unwrap returns the cause.
func (f *Failure) Unwrap() error { return f.Err }

// ProblemCode is the problem code of the HTTP answer.
func (f *Failure) ProblemCode() string { return f.Code }

// ProblemDetail is the problem's detail: the message.
func (f *Failure) ProblemDetail() string { return f.Message }

// IDError is the ledger's own refusal of a request id.
type IDError struct {
	Code    string
	Message string // the detail of the HTTP answer
}

func (e *IDError) Error() string { return e.Code }

// ProblemCode is the problem code of the HTTP answer.
func (e *IDError) ProblemCode() string { return e.Code }

// ProblemDetail is the problem's detail.
func (e *IDError) ProblemDetail() string { return e.Message }

// Errors of the ledger itself.
var (
	// ErrReused: the request id was already used for another operation or input.
	ErrReused error = &IDError{Code: "request_id_reused",
		Message: "this request_id was already used for a request with other data; use a new request_id"}
	// ErrInvalidID: the request id is empty or not 1-100 visible ASCII characters.
	ErrInvalidID error = &IDError{Code: "request_id_invalid"}
)
