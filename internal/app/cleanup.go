package app

import (
	"context"
	"time"
)

// cleanupBatch bounds each delete so that cleanup never holds long locks.
const cleanupBatch = 500

// cleanup deletes expired flows, sessions (past their lifetime or idle timeout) and rate
// counters in small batches, every minute.
func (a *App) cleanup(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		a.CleanupOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CleanupOnce runs one round of cleanup until nothing expired is left (or ctx ends). An
// expired session queues the back-channel logout of its sites in the transaction that
// deletes it (session.Service.EndExpired).
func (a *App) CleanupOnce(ctx context.Context) {
	now := a.Now().UTC()
	// Keep expired flows an hour so that their pages can say "expired" instead of "unknown".
	steps := map[string]func() (int, error){
		"flows":    func() (int, error) { return a.DB.DeleteExpiredFlows(ctx, now.Add(-time.Hour), cleanupBatch) },
		"sessions": func() (int, error) { return a.Sessions.EndExpired(ctx, cleanupBatch) },
		"counters": func() (int, error) { return a.DB.DeleteExpiredCounters(ctx, now, cleanupBatch) },
		"grants":   func() (int, error) { return a.DB.DeleteExpiredGrants(ctx, now, cleanupBatch) },
		"sign-in":  func() (int, error) { return a.DB.DeleteExpiredSignIn(ctx, now, cleanupBatch) },
		"assertions": func() (int, error) {
			n, err := a.DB.DeleteExpiredAssertions(ctx, now)
			return int(n), err
		},
		"activations": func() (int, error) { return a.DB.DeleteExpiredActivations(ctx, now, cleanupBatch) },
		// Deleted accounts whose erasure job gave up (or whose retention was shortened since).
		"erasure": func() (int, error) { return a.Deletion.EraseDue(ctx, cleanupBatch) },
	}
	for name, step := range steps {
		for ctx.Err() == nil {
			n, err := step()
			if err != nil {
				a.Logger.Warn("cleanup", "table", name, "err", err)
				break
			}
			if n < cleanupBatch {
				break
			}
		}
	}
}
