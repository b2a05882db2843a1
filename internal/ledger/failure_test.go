package ledger

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestFailure: a Failure is recorded as failed with its own code and status, returned with its
// cause, and a resend under the same id runs the operation again.
func TestFailure(t *testing.T) {
	m := memStore{}
	s := &Service{Tx: m, Store: m, Key: []byte("k"), Now: time.Now}
	cause := errors.New("over the limit")
	runs := 0
	op := func(context.Context) (Outcome, error) {
		runs++
		if runs == 1 {
			return Outcome{}, &Failure{Code: "rate_limited", Message: "too many messages; resend later", Status: 429, Err: cause}
		}
		return Outcome{Status: 201, Result: "made"}, nil
	}
	r := Request{ClientID: "c", ID: "r-1", Type: "register"}
	if _, _, err := s.Do(context.Background(), r, op); !errors.Is(err, cause) {
		t.Fatalf("first run: %v, want the cause", err)
	}
	got, err := s.Get(context.Background(), "c", "r-1")
	if err != nil || got.State != Failed || got.Code != "rate_limited" || got.Status != 429 {
		t.Fatalf("recorded = %+v, %v; want failed rate_limited 429", got, err)
	}
	req, replayed, err := s.Do(context.Background(), r, op)
	if err != nil || replayed || req.State != Done || req.Status != 201 || runs != 2 {
		t.Errorf("resend = %+v, %t, %v after %d runs; want it to act", req, replayed, err, runs)
	}
}

// TestRejectionFinal: a Rejection is the answer: a resend replays it without running again.
func TestRejectionFinal(t *testing.T) {
	m := memStore{}
	s := &Service{Tx: m, Store: m, Key: []byte("k"), Now: time.Now}
	runs := 0
	op := func(context.Context) (Outcome, error) {
		runs++
		return Outcome{}, &Rejection{Code: "account_exists", Message: "exists", Status: 409}
	}
	r := Request{ClientID: "c", ID: "r-1", Type: "register"}
	_, _, _ = s.Do(context.Background(), r, op)
	req, replayed, err := s.Do(context.Background(), r, op)
	if err != nil || !replayed || req.State != Rejected || req.Code != "account_exists" || runs != 1 {
		t.Errorf("resend = %+v, %t, %v after %d runs; want the stored refusal", req, replayed, err, runs)
	}
}
