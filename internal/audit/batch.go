package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/store"
)

// Batcher writes events that are not part of a larger transaction (a userinfo answer, say)
// in group commits: one transaction for every event that arrived while the previous one was
// being written. A caller still returns only after its event is committed, so nothing is
// released unaudited, but a burst of releases costs one transaction, not one each.
type Batcher struct {
	Store   Store
	Tx      store.Transactor
	MaxSize int // events per transaction; default 256

	reqs chan batchReq
}

type batchReq struct {
	ctx  context.Context
	e    *Event
	done chan error
}

// Start runs the writer until ctx ends.
func (b *Batcher) Start(ctx context.Context) {
	if b.MaxSize <= 0 {
		b.MaxSize = 256
	}
	b.reqs = make(chan batchReq, 4*b.MaxSize)
	go b.loop(ctx)
}

// Add queues e and waits until it is committed.
func (b *Batcher) Add(ctx context.Context, e *Event) error {
	r := batchReq{ctx: ctx, e: e, done: make(chan error, 1)}
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *Batcher) loop(ctx context.Context) {
	for {
		var first batchReq
		select {
		case <-ctx.Done():
			return
		case first = <-b.reqs:
		}
		batch := []batchReq{first}
	fill:
		for len(batch) < b.MaxSize {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.write(batch)
	}
}

func (b *Batcher) write(batch []batchReq) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events := make([]*Event, 0, len(batch))
	for _, r := range batch {
		if r.ctx.Err() == nil { // else its caller gave up and was told so
			events = append(events, r.e)
		}
	}
	err := b.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := b.Store.AppendEvents(ctx, events); err != nil {
			return fmt.Errorf("audit batch: %w", err)
		}
		return nil
	})
	for _, r := range batch {
		r.done <- err
	}
}
