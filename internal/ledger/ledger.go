package ledger

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/civis-id/civis/internal/store"
)

// State is where a request stands.
type State string

// Request states. A request is accepted and processing only inside the transaction that acts
// on it, so readers outside see done, rejected or failed; accepted and processing remain for
// requests whose effect completes later.
const (
	Accepted   State = "accepted"
	Processing State = "processing"
	Done       State = "done"
	Rejected   State = "rejected"
	Failed     State = "failed"
)

// Request is one entry of the ledger.
type Request struct {
	ClientID string // the client that sent it (a center's system, a bank, or the workstation)
	ID       string // the client-chosen request id
	Type     string // the operation, e.g. "register", "confirm"
	// Fingerprint is a keyed hash of the operation's input: the same id with another input is a
	// client error, never a replay.
	Fingerprint string
	CenterID    string
	OperatorID  string
	Subject     string // the account the request acted on, once known
	State       State
	Code        string // the result code: "ok", or the error code of a rejection or failure
	Message     string // a human-readable result, without personal data
	Status      int    // the HTTP status of the answer
	Result      json.RawMessage
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Store persists the ledger.
type Store interface {
	// InsertRequest adds r; it returns store.ErrConflict when the client already used the id.
	InsertRequest(ctx context.Context, r *Request) error
	// GetRequest returns the client's request with the id, or store.ErrNotFound.
	GetRequest(ctx context.Context, clientID, id string) (*Request, error)
	// UpdateRequest stores r's subject, state, code, message, status and result.
	UpdateRequest(ctx context.Context, r *Request) error
}

// Outcome is what an operation answers.
type Outcome struct {
	Subject string // the account acted on
	Status  int    // the HTTP status of the answer (200 when zero)
	Result  any    // the JSON answer (no personal data: it is stored and replayed)
	Message string // a short human-readable summary
}

var idRE = regexp.MustCompile(`^[\x21-\x7e]{1,100}$`)

// ValidID reports whether id is an acceptable request id.
func ValidID(id string) bool { return idRE.MatchString(id) }

// Service runs operations through the ledger.
type Service struct {
	Tx    store.Transactor
	Store Store
	// Key keys the fingerprints of inputs, so that the ledger keeps nothing from which the
	// personal data of a request could be guessed (a passport number has 10^6 values).
	Key []byte
	Now func() time.Time
}

// Fingerprint is the keyed hash of an operation's kind and input (any JSON-encodable value),
// to store in Request.Fingerprint.
func (s *Service) Fingerprint(kind string, input any) string {
	b, err := json.Marshal(input)
	if err != nil {
		b = []byte(fmt.Sprint(input))
	}
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(kind + "\x00"))
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// Do runs op at most once for (r.ClientID, r.ID). In one transaction it records the request,
// runs op and stores op's answer, so a crash at any point leaves either nothing or the whole
// effect with its answer. A resend returns the stored request (replayed is true) without
// running op. A Rejection is stored and returned as the request's answer; another error rolls
// everything back, is recorded as failed (a resend runs op again; a Failure with its own
// code, else as internal), and is returned.
//
// A transaction that loses a race (store.ErrConflict: a concurrent request with the same id,
// a unique index its effect hit, a serialization failure) runs again, up to four times, so
// that op sees what the winner wrote and answers accordingly.
func (s *Service) Do(ctx context.Context, r Request, op func(ctx context.Context) (Outcome, error)) (*Request, bool, error) {
	for attempt := 1; ; attempt++ {
		req, replayed, err := s.do(ctx, r, op)
		if errors.Is(err, store.ErrConflict) && attempt < maxAttempts {
			continue
		}
		return req, replayed, err
	}
}

// maxAttempts bounds the runs of a request whose transaction keeps losing races.
const maxAttempts = 5

func (s *Service) do(ctx context.Context, r Request, op func(ctx context.Context) (Outcome, error)) (req *Request, replayed bool, err error) {
	if !ValidID(r.ID) {
		return nil, false, ErrInvalidID
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		prev, err := s.Store.GetRequest(ctx, r.ClientID, r.ID)
		switch {
		case err == nil && prev.State != Failed:
			req, replayed = prev, true
			return nil
		case err == nil: // a failed request runs again under the same id
			r.CreatedAt = prev.CreatedAt
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err == nil && (prev.Type != r.Type || prev.Fingerprint != r.Fingerprint) {
			req, replayed = prev, true
			return nil
		}
		now := s.Now()
		if r.CreatedAt.IsZero() {
			r.CreatedAt = now
		}
		r.UpdatedAt, r.State = now, Processing
		if prev == nil {
			if err := s.Store.InsertRequest(ctx, &r); err != nil {
				return err
			}
		}
		out, err := op(ctx)
		if err != nil {
			return err
		}
		if err := r.finish(out, now); err != nil {
			return err
		}
		req = &r
		return s.Store.UpdateRequest(ctx, &r)
	})
	if errors.Is(err, store.ErrConflict) { // a concurrent request with the same id won
		// (a failed one did not: it is this request's own earlier attempt, run again)
		if prev, gerr := s.Store.GetRequest(ctx, r.ClientID, r.ID); gerr == nil && prev.State != Failed {
			req, replayed, err = prev, true, nil
		}
	}
	if err == nil && replayed && (req.Type != r.Type || req.Fingerprint != r.Fingerprint) {
		return req, true, ErrReused
	}
	var rej *Rejection
	if errors.As(err, &rej) {
		return s.record(ctx, r, Rejected, rej.Code, rej.Message, rej.Status, rej.Detail)
	}
	if err != nil {
		code, msg, status := "internal", "the request failed; resend it with the same request_id", 500
		var f *Failure
		if errors.As(err, &f) {
			code, msg, status = f.Code, f.Message, f.Status
		}
		_, _, _ = s.record(ctx, r, Failed, code, msg, status, nil)
		return nil, false, err
	}
	return req, replayed, nil
}

func (r *Request) finish(out Outcome, now time.Time) error {
	res, err := json.Marshal(out.Result)
	if err != nil {
		return err
	}
	r.Subject, r.State, r.Code, r.Message, r.Status, r.Result, r.UpdatedAt =
		out.Subject, Done, "ok", out.Message, out.Status, res, now
	if r.Status == 0 {
		r.Status = 200
	}
	return nil
}

// record stores the answer of a request whose effect was rolled back.
func (s *Service) record(ctx context.Context, r Request, state State, code, msg string, status int, detail any) (*Request, bool, error) {
	res, err := json.Marshal(detail)
	if err != nil {
		return nil, false, err
	}
	now := s.Now()
	r.State, r.Code, r.Message, r.Status, r.Result, r.UpdatedAt = state, code, msg, status, res, now
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	var out *Request
	replayed := false
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		prev, err := s.Store.GetRequest(ctx, r.ClientID, r.ID)
		switch {
		case err == nil && prev.State != Failed:
			out, replayed = prev, true
			return nil
		case err == nil:
			out = &r
			return s.Store.UpdateRequest(ctx, &r)
		case errors.Is(err, store.ErrNotFound):
			out = &r
			return s.Store.InsertRequest(ctx, &r)
		}
		return err
	})
	return out, replayed, err
}

// Get returns the client's request with the id, or store.ErrNotFound.
func (s *Service) Get(ctx context.Context, clientID, id string) (*Request, error) {
	return s.Store.GetRequest(ctx, clientID, id)
}
