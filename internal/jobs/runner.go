package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Handler does the work of one job. An error wrapped with Permanent is not retried.
type Handler func(ctx context.Context, j *Job) error

// ErrPermanent marks an error that retrying cannot fix.
var ErrPermanent = errors.New("permanent job failure")

// Permanent wraps err so that the job fails without further attempts.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// Queue inserts jobs. It is what domain code holds.
type Queue struct {
	Store Store
	Now   func() time.Time
}

// Enqueue inserts a job of kind with payload, due now, inside the transaction in ctx if any.
func (q *Queue) Enqueue(ctx context.Context, kind string, payload []byte) error {
	return q.EnqueueAt(ctx, kind, payload, q.Now())
}

// EnqueueAt inserts a job due at runAt.
func (q *Queue) EnqueueAt(ctx context.Context, kind string, payload []byte, runAt time.Time) error {
	now := q.Now().UTC()
	j := &Job{
		ID: uuid.Must(uuid.NewV7()).String(), Kind: kind, Payload: payload, State: Pending,
		MaxAttempts: DefaultMaxAttempts, RunAt: runAt.UTC(), CreatedAt: now,
	}
	if err := q.Store.InsertJob(ctx, j); err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return nil
}

// DefaultMaxAttempts bounds retries; with the default backoff it spans about a day.
const DefaultMaxAttempts = 25

// Observer receives job outcomes, for metrics. Any field may be nil.
type Observer struct {
	Done func(kind string, d time.Duration, err error)
}

// Runner claims and runs due jobs.
type Runner struct {
	Store    Store
	Handlers map[string]Handler
	Logger   *slog.Logger
	Now      func() time.Time
	Workers  int           // concurrent handlers; default 4
	Batch    int           // jobs claimed at once; default 2*Workers
	Lease    time.Duration // default 2 minutes: a handler must finish within it
	Poll     time.Duration // idle poll interval; default 500ms
	Observer Observer
	wake     chan struct{}
	once     sync.Once
}

// Wake makes an idle runner poll now (after a local insert).
func (r *Runner) Wake() {
	r.init()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Runner) init() {
	r.once.Do(func() {
		r.wake = make(chan struct{}, 1)
		if r.Workers <= 0 {
			r.Workers = 4
		}
		if r.Batch <= 0 {
			r.Batch = 2 * r.Workers
		}
		if r.Lease <= 0 {
			r.Lease = 2 * time.Minute
		}
		if r.Poll <= 0 {
			r.Poll = 500 * time.Millisecond
		}
	})
}

// Run works jobs until ctx ends, then waits for running handlers.
func (r *Runner) Run(ctx context.Context) {
	r.init()
	sem := make(chan struct{}, r.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for ctx.Err() == nil {
		if n := r.claimAndStart(ctx, sem, &wg); n != 0 {
			continue // claimed some, or a worker just became free: claim again at once
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

// RunOnce claims one batch, runs it to the end and returns how many jobs it ran. For tests and
// the CLI.
func (r *Runner) RunOnce(ctx context.Context) int {
	r.init()
	sem := make(chan struct{}, r.Workers)
	var wg sync.WaitGroup
	n := r.claimAndStart(ctx, sem, &wg)
	wg.Wait()
	return n
}

func (r *Runner) claimAndStart(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) int {
	// Claim only as many as there are free workers, so a leased job never waits long unrun.
	free := r.Workers - len(sem)
	if free <= 0 {
		select {
		case sem <- struct{}{}:
			<-sem
			return -1
		case <-ctx.Done():
			return 0
		}
	}
	jobs, err := r.Store.ClaimJobs(ctx, r.Now().UTC(), r.Lease, min(free, r.Batch))
	if err != nil {
		if ctx.Err() == nil {
			r.Logger.Error("claim jobs", "err", err)
		}
		return 0
	}
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			r.work(context.WithoutCancel(ctx), j)
		}()
	}
	return len(jobs)
}

func (r *Runner) work(ctx context.Context, j *Job) {
	h, ok := r.Handlers[j.Kind]
	start := time.Now()
	var err error
	if !ok {
		err = Permanent(fmt.Errorf("no handler for kind %q", j.Kind))
	} else {
		hctx, cancel := context.WithTimeout(ctx, r.Lease)
		err = safeCall(hctx, h, j)
		cancel()
	}
	if r.Observer.Done != nil {
		r.Observer.Done(j.Kind, time.Since(start), err)
	}
	if err := r.settle(ctx, j, err); err != nil {
		r.Logger.Error("settle job", "job_id", j.ID, "kind", j.Kind, "err", err)
	}
}

func safeCall(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("handler panic: %v", p))
		}
	}()
	return h(ctx, j)
}

func (r *Runner) settle(ctx context.Context, j *Job, err error) error {
	if err == nil {
		return r.Store.CompleteJob(ctx, j.ID)
	}
	msg := truncate(err.Error(), 500)
	if errors.Is(err, ErrPermanent) || j.Attempts >= j.MaxAttempts {
		r.Logger.Warn("job failed", "job_id", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", msg)
		return r.Store.FailJob(ctx, j.ID, msg)
	}
	r.Logger.Info("job will retry", "job_id", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", msg)
	return r.Store.RetryJob(ctx, j.ID, r.Now().UTC().Add(Backoff(j.Attempts)), msg)
}

// Backoff is the delay before attempt n+1: exponential from 1s, capped at one hour, with full
// jitter over its upper half so that retries of a failed batch spread out.
func Backoff(attempt int) time.Duration {
	d := time.Second << min(max(attempt-1, 0), 12)
	d = min(d, time.Hour)
	return d/2 + rand.N(d/2+1)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
