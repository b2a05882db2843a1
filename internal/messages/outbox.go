package messages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/notify"
)

// JobKind is the job kind that delivers one message.
const JobKind = "message.send"

// Outbox queues messages as jobs.
type Outbox struct {
	Queue *jobs.Queue
	Now   func() time.Time
}

// Send composes tpl for channel and queues it for delivery to to, inside the transaction in
// ctx. The message is delivered after that transaction commits, and never if it rolls back.
func (o *Outbox) Send(ctx context.Context, ch notify.Channel, to, locale string, tpl Template, data map[string]any) error {
	subject, body, err := Compose(tpl, string(ch), locale, data)
	if err != nil {
		return err
	}
	m := notify.Message{
		ID: uuid.Must(uuid.NewV7()).String(), Channel: ch, To: to,
		Subject: subject, Body: body, CreatedAt: o.Now().UTC(),
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	return o.Queue.Enqueue(ctx, JobKind, payload)
}

// Handler returns the job handler that delivers queued messages through sender. observe, if
// not nil, is told each attempt's channel and outcome.
func Handler(sender notify.Sender, observe func(ch notify.Channel, err error)) jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		var m notify.Message
		if err := json.Unmarshal(j.Payload, &m); err != nil {
			return jobs.Permanent(fmt.Errorf("decode message: %w", err))
		}
		err := sender.Send(ctx, m)
		if observe != nil {
			observe(m.Channel, err)
		}
		if errors.Is(err, notify.ErrPermanent) {
			return jobs.Permanent(err)
		}
		return err
	}
}
