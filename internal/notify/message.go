package notify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Channel is how a message travels.
type Channel string

// The channels a [Message] can travel by.
const (
	// SMS is a text message to a mobile phone.
	SMS Channel = "sms"
	// Email is a plain-text email.
	Email Channel = "email"
)

// Message is one outgoing message.
type Message struct {
	// ID is a stable id (a UUIDv7 string); it is also the idempotency key at
	// the gateway and the local part of the email Message-ID.
	ID string
	// Channel selects how the message travels.
	Channel Channel
	// To is an E.164 phone number or a normalized email address.
	To string
	// Subject is the email subject; SMS ignores it.
	Subject string
	// Body is the plain-text content.
	Body string
	// CreatedAt is when the message was created; email uses it as Date.
	CreatedAt time.Time
}

// Sender delivers one message. Errors wrapped with [ErrPermanent] must not be
// retried; any other error may be retried later with the same message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a delivery failure that a retry cannot fix.
var ErrPermanent = errors.New("permanent delivery failure")

// Permanent wraps err so that errors.Is(err, [ErrPermanent]) holds. It returns
// nil for a nil err and err itself when it is already permanent.
func Permanent(err error) error {
	if err == nil || errors.Is(err, ErrPermanent) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// maxIDLen bounds [Message.ID]; a UUID string has 36 characters.
const maxIDLen = 128

// validID matches ids safe for headers and logs: UUIDs and similar tokens.
var validID = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// check reports, as a permanent error, a message that no Sender for want
// could ever deliver.
func (m Message) check(want Channel) error {
	switch {
	case m.Channel != want:
		return Permanent(fmt.Errorf("message channel is %q, want %q", m.Channel, want))
	case len(m.ID) > maxIDLen || !validID.MatchString(m.ID):
		return Permanent(errors.New("message id is missing or malformed"))
	case m.To == "":
		return Permanent(errors.New("message recipient is required"))
	case strings.ContainsAny(m.Subject, "\r\n"):
		return Permanent(errors.New("message subject must be a single line"))
	}
	return nil
}

// redactedError replaces personal data in the text of the error it wraps,
// while errors.Is and errors.As still see the original chain.
type redactedError struct {
	text string
	err  error
}

// Error returns the redacted text.
func (e *redactedError) Error() string { return e.text }

// Unwrap returns the original error.
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every case-insensitive occurrence of the secrets
// in its text replaced by a placeholder.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	text := redactText(err.Error(), secrets...)
	if text == err.Error() {
		return err
	}
	return &redactedError{text: text, err: err}
}

// redactText replaces every case-insensitive occurrence of the non-empty
// secrets in s.
func redactText(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(secret))
		s = re.ReplaceAllLiteralString(s, "[redacted]")
	}
	return s
}
