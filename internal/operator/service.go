package operator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/deletion"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store"
)

// Audit actions of operators. Each is recorded on the citizen's chain (actor
// "operator:<id>") and on the operator's own chain, with the details keys below.
const (
	ActionSearch           = "operator.search"
	ActionRegistered       = "operator.registered"
	ActionConfirmed        = "operator.confirmed"
	ActionRestored         = "operator.restored"
	ActionDuplicateRemoved = "operator.duplicate_removed"
	// ActionActivated is recorded when the citizen set the first password through the link.
	ActionActivated = "account.activated"
)

// Details keys of the operator audit events.
const (
	DetailCenterID   = "center_id"
	DetailCenterName = "center_name"
	DetailOperatorID = "operator_id"
	DetailRequestID  = "request_id"
	DetailReason     = "reason"
)

// Ledger request types.
const (
	TypeRegister        = "register"
	TypeConfirm         = "confirm"
	TypeRestore         = "restore"
	TypeRemoveDuplicate = "remove_duplicate"
)

// Config holds the operator rules.
type Config struct {
	SiteURL       string        // public base URL: the activation link is <SiteURL>/activate/<token>
	ActivationTTL time.Duration // how long an activation link works (72 h)
	Limits        Limits        // DefaultLimits; a zero rule is no limit
}

// Grants ends an account's tokens at relying parties.
type Grants interface {
	RevokeAccountGrants(ctx context.Context, accountID string) error
}

// SecondFactors resets an account's second factors and remembered devices (mfa.Service).
type SecondFactors interface {
	Reset(ctx context.Context, accountID string, actor ...string) error
	ForgetDevices(ctx context.Context, accountID string) error
}

// Contacts rebinds an account's contact (settings.Store).
type Contacts interface {
	ReplaceContact(ctx context.Context, accountID string, c account.Contact) error
}

// Service runs the use-cases of service-center staff. Every change runs through the request
// ledger in one transaction with its effect; every action is audited.
type Service struct {
	Tx            store.Transactor
	Ledger        *ledger.Service
	Store         Store
	Accounts      account.Store
	Contacts      Contacts
	Profiles      *proofing.Service
	Staff         *staff.Service
	Sessions      *session.Service
	Grants        Grants
	SecondFactors SecondFactors // nil: none to reset
	Deletion      *deletion.Service
	Hasher        *credential.Hasher
	Outbox        *messages.Outbox
	Audit         *audit.Recorder
	Logger        *slog.Logger
	// CenterName names a center for messages and the audit log ("" when unknown: the id is
	// used). Nil: the id is used.
	CenterName func(ctx context.Context, id string) string
	TokenKey   []byte // keys the hashes of activation tokens
	// LimitIP counts a check of a secret (an activation token) from an address and refuses
	// with rate_limited past the limit (flow.Service.LimitCheckIP). Nil: no limit.
	LimitIP func(ctx context.Context, ip string) error
	// Limiter counts Config.Limits under blind indexes from Index. Nil: no limits.
	Limiter *ratelimit.Limiter
	Index   Indexer
	Config  Config
	Now     func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// authorize checks that the actor is staff (operator or center_admin) at the center it acts for.
func (s *Service) authorize(ctx context.Context, a Actor) error {
	if a.OperatorID == "" || a.CenterID == "" {
		return ErrForbidden
	}
	m, err := s.Staff.Get(ctx, a.OperatorID)
	if errors.Is(err, staff.ErrNotStaff) {
		return ErrForbidden
	}
	if err != nil {
		return fmt.Errorf("load staff: %w", err)
	}
	if m.CenterID != a.CenterID || !m.Role.Valid() {
		return ErrForbidden
	}
	return nil
}

func (s *Service) centerName(ctx context.Context, id string) string {
	if s.CenterName != nil {
		if n := s.CenterName(ctx, id); n != "" {
			return n
		}
	}
	return id
}

// details are the audit details of an operator action.
func (s *Service) details(ctx context.Context, a Actor, requestID string) map[string]string {
	d := map[string]string{DetailCenterID: a.CenterID, DetailCenterName: s.centerName(ctx, a.CenterID),
		DetailOperatorID: a.OperatorID}
	if requestID != "" {
		d[DetailRequestID] = requestID
	}
	if a.Reason != "" {
		d[DetailReason] = a.Reason
	}
	return d
}

// record audits an operator action on the citizen's chain (when there is a citizen) and on the
// operator's own chain.
func (s *Service) record(ctx context.Context, a Actor, action, citizen string, d map[string]string) error {
	actor := "operator:" + a.OperatorID
	if citizen != "" {
		if err := s.Audit.Record(ctx, audit.Event{AccountID: citizen, Action: action, Actor: actor, IP: a.IP,
			Details: d}); err != nil {
			return err
		}
	}
	own := map[string]string{}
	for k, v := range d {
		own[k] = v
	}
	if citizen != "" {
		own["account_id"] = citizen
	}
	return s.Audit.Record(ctx, audit.Event{AccountID: a.OperatorID, Action: action, Actor: actor, IP: a.IP, Details: own})
}

// do runs op through the ledger for the actor, after checking the actor's rights. prepare,
// when given, runs before the ledger and outside its transaction (hashing a password, say),
// once the actor and the request id have been accepted: a caller without the rights or
// with a malformed id costs no hash.
func (s *Service) do(ctx context.Context, a Actor, requestID, typ string, input any, prepare func(ctx context.Context) error,
	op func(ctx context.Context) (ledger.Outcome, error)) (*ledger.Request, bool, error) {
	if err := s.authorize(ctx, a); err != nil {
		return nil, false, err
	}
	if prepare != nil {
		if !ledger.ValidID(requestID) {
			return nil, false, ledger.ErrInvalidID
		}
		if err := prepare(ctx); err != nil {
			return nil, false, err
		}
	}
	r := ledger.Request{ClientID: a.ClientID, ID: requestID, Type: typ, Fingerprint: s.Ledger.Fingerprint(typ, input),
		CenterID: a.CenterID, OperatorID: a.OperatorID}
	return s.Ledger.Do(ctx, r, op)
}

// result is the stored answer of a changing operation.
func (s *Service) result(requestID string, acc *account.Account, msg string) Result {
	return Result{RequestID: requestID, State: string(ledger.Done), AccountID: acc.ID, Level: string(acc.Level),
		Message: msg, At: s.now()}
}

// Request returns a request of the actor's client from the ledger, or ErrRequestNotFound.
func (s *Service) Request(ctx context.Context, a Actor, requestID string) (*ledger.Request, error) {
	if err := s.authorize(ctx, a); err != nil {
		return nil, err
	}
	r, err := s.Ledger.Get(ctx, a.ClientID, requestID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrRequestNotFound
	}
	return r, err
}

// activeAccount loads an account that the operator may act on: active, or account_not_found.
func (s *Service) activeAccount(ctx context.Context, id string) (*account.Account, error) {
	if id == "" {
		return nil, errAccountNotFound
	}
	acc, err := s.Accounts.GetAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errAccountNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	if acc.State != account.Active {
		return nil, errAccountNotFound
	}
	return acc, nil
}
