package devoutbox

import (
	"context"
	"time"

	"github.com/civis-id/civis/internal/notify"
)

// Store keeps dev-mode messages.
type Store interface {
	SaveDevMessage(ctx context.Context, m notify.Message) error
	// DevMessages returns up to limit messages, newest first; to filters by recipient when set.
	DevMessages(ctx context.Context, to string, limit int) ([]notify.Message, error)
}

// Sender is a notify.Sender that stores messages instead of sending them.
type Sender struct {
	Store Store
	Now   func() time.Time
}

var _ notify.Sender = (*Sender)(nil)

// Send stores m. Saving the same message twice (a retried job) keeps one copy.
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.Now().UTC()
	}
	return s.Store.SaveDevMessage(ctx, m)
}
