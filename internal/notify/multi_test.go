package notify

import (
	"context"
	"errors"
	"testing"
)

// recorder is a Sender that remembers the messages it got and returns err.
type recorder struct {
	got []Message
	err error
}

func (r *recorder) Send(_ context.Context, m Message) error {
	r.got = append(r.got, m)
	return r.err
}

func TestRouterDispatchesByChannel(t *testing.T) {
	sms, email := &recorder{}, &recorder{}
	r := Router{SMS: sms, Email: email}
	for _, m := range []Message{testSMS(), testEmail(), testSMS()} {
		if err := r.Send(context.Background(), m); err != nil {
			t.Fatalf("Send(%s) got %v, want nil", m.Channel, err)
		}
	}
	if len(sms.got) != 2 || len(email.got) != 1 {
		t.Errorf("got %d sms and %d email, want 2 and 1", len(sms.got), len(email.got))
	}
	if email.got[0].Channel != Email {
		t.Errorf("email sender got channel %q, want %q", email.got[0].Channel, Email)
	}
}

func TestRouterPassesErrorsThrough(t *testing.T) {
	retryable := errors.New("gateway down")
	r := Router{SMS: &recorder{err: retryable}}
	err := r.Send(context.Background(), testSMS())
	if !errors.Is(err, retryable) || errors.Is(err, ErrPermanent) {
		t.Errorf("Send got %v, want the sender's retryable error", err)
	}
}

func TestRouterUnknownChannelIsPermanent(t *testing.T) {
	tests := map[string]Router{
		"missing channel": {SMS: &recorder{}},
		"nil sender":      {Email: nil},
		"nil router":      nil,
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			if err := r.Send(context.Background(), testEmail()); !errors.Is(err, ErrPermanent) {
				t.Errorf("Send got %v, want a permanent error", err)
			}
		})
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("rejected")
	p := Permanent(base)
	if !errors.Is(p, ErrPermanent) || !errors.Is(p, base) {
		t.Errorf("Permanent(%v) = %v, want both ErrPermanent and the cause", base, p)
	}
	if Permanent(p) != p {
		t.Errorf("Permanent(Permanent(err)) wrapped twice: %v", Permanent(p))
	}
	if Permanent(nil) != nil {
		t.Errorf("Permanent(nil) got %v, want nil", Permanent(nil))
	}
}
