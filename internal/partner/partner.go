package partner

import (
	"context"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
)

// Ledger request types of the partner API.
const (
	TypeConfirm  = "bank_confirm"
	TypeRegister = "bank_register"
)

// Method is the confirmation method a bank gives an account.
const Method = operator.MethodBank

// Result states.
const (
	StateConfirmed  = "confirmed"  // a standard account was confirmed
	StateRegistered = "registered" // a new account was registered at the confirmed level
)

// Bank is the partner client acting: its client id and the name citizens see.
type Bank struct {
	ID   string
	Name string
}

// Person is what a bank knows of its client. Phone is optional when confirming (compared with
// the account's confirmed phone when present) and required when registering.
type Person struct {
	SNILS          string `json:"snils"`
	LastName       string `json:"last_name"`
	FirstName      string `json:"first_name"`
	MiddleName     string `json:"middle_name"`
	BirthDate      string `json:"birth_date"` // YYYY-MM-DD
	PassportSeries string `json:"passport_series"`
	PassportNumber string `json:"passport_number"`
	Phone          string `json:"phone"`
}

// Registration is a citizen a bank registers: Person plus what a new profile needs.
type Registration struct {
	Person
	Gender                 string `json:"gender"` // M or F
	BirthPlace             string `json:"birth_place"`
	PassportIssueDate      string `json:"passport_issue_date"`
	PassportIssuer         string `json:"passport_issuer"`
	PassportDepartmentCode string `json:"passport_department_code"`
	Email                  string `json:"email"`
}

// Result is the answer of a request that acted; it is stored in the ledger and replayed. It
// holds no personal data.
type Result struct {
	RequestID string    `json:"request_id"`
	State     string    `json:"state"`
	AccountID string    `json:"account_id"`
	Level     string    `json:"level"`
	Message   string    `json:"message"`
	At        time.Time `json:"at"`
}

// FieldError is a problem with one field of the input; for data_mismatch it names a field
// whose value differs from the account's verified one (never the stored value).
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error is a refusal before the ledger that names only its problem code (unavailable).
// Nothing is recorded: the same request id may be sent again. Input that is not valid is a
// *flow.ValidationError, and a request id that is not valid is ledger.ErrInvalidID.
type Error struct {
	Code string
}

func (e *Error) Error() string { return e.Code }

// ProblemCode is the machine code of the HTTP answer.
func (e *Error) ProblemCode() string { return e.Code }

// Refusal codes the ledger records and replays (ledger.Rejection.Code).
const (
	CodeNotFound         = "account_not_found"
	CodeExists           = "account_exists"
	CodeNotStandard      = "not_standard"
	CodeConfirmed        = "account_confirmed"
	CodeMismatch         = "data_mismatch"
	CodeContactTaken     = "contact_already_registered"
	CodeValidationFailed = "validation_failed"
)

// Statuses of the refusals (HTTP status codes, stored in the ledger with the answer).
const (
	statusNotFound = 404
	statusConflict = 409
)

// ProfileStore reads verified profiles (proofing.Store).
type ProfileStore interface {
	GetProfile(ctx context.Context, accountID string) (*proofing.Profile, error)
}

// Enroller creates an account at the confirmed level inside the caller's transaction
// (operator.Service.Enroll): account, contacts, profile, registry checks and the activation
// SMS.
type Enroller interface {
	Enroll(ctx context.Context, e operator.Enrollment) (accountID string, err error)
}

// Confirmations records who confirmed an account (operator.Store): for a bank, its client id
// and name.
type Confirmations interface {
	PutConfirmation(ctx context.Context, c *operator.Confirmation) error
}

// Service runs the partner banks' requests.
type Service struct {
	Ledger   *ledger.Service
	Accounts account.Store
	Profiles ProfileStore
	Enroller Enroller
	// Confirmations, when set, records the bank as who confirmed.
	Confirmations Confirmations
	Notices       *notice.Notifier
	Audit         *audit.Recorder
	SiteURL       string // public base URL, for links in messages
	Now           func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// fingerprint hashes a request's normalized input with the ledger's key.
func (s *Service) fingerprint(kind string, input any) string {
	return s.Ledger.Fingerprint(kind, input)
}

// run sends op through the ledger under the bank's request id.
func (s *Service) run(ctx context.Context, bank Bank, requestID, kind, fp string,
	op func(ctx context.Context) (ledger.Outcome, error)) (*ledger.Request, bool, error) {
	r := ledger.Request{ClientID: bank.ID, ID: requestID, Type: kind, Fingerprint: fp}
	return s.Ledger.Do(ctx, r, op)
}

// Request returns one of the bank's requests from the ledger, or store.ErrNotFound (also for
// a request id the client used on another API).
func (s *Service) Request(ctx context.Context, bank Bank, requestID string) (*ledger.Request, error) {
	if !ledger.ValidID(requestID) {
		return nil, store.ErrNotFound
	}
	r, err := s.Ledger.Get(ctx, bank.ID, requestID)
	if err != nil {
		return nil, err
	}
	if r.Type != TypeConfirm && r.Type != TypeRegister {
		return nil, store.ErrNotFound
	}
	return r, nil
}

func reject(code, msg string, status int, fields ...FieldError) *ledger.Rejection {
	r := &ledger.Rejection{Code: code, Message: msg, Status: status}
	if len(fields) > 0 {
		r.Detail = fields
	}
	return r
}
