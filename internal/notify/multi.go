package notify

import (
	"context"
	"fmt"
)

// Router sends each channel to its own Sender (for example [SMS] to an
// [SMSGateway] and [Email] to an [SMTPSender]).
type Router map[Channel]Sender

// Send hands m to the Sender of its channel. A channel without a Sender is a
// permanent error.
func (r Router) Send(ctx context.Context, m Message) error {
	s := r[m.Channel]
	if s == nil {
		return Permanent(fmt.Errorf("no sender for channel %q", m.Channel))
	}
	return s.Send(ctx, m)
}

// Interface guard.
var _ Sender = Router(nil)
