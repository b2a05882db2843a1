package jobs

import (
	"context"
	"time"
)

// State is a job's state.
type State string

// Job states. A job that succeeds is deleted.
const (
	Pending State = "pending"
	Failed  State = "failed" // gave up: permanent error or attempts exhausted
)

// Job is one unit of background work.
type Job struct {
	ID          string
	Kind        string
	Payload     []byte // opaque to the queue; sealed at rest by the store
	State       State
	Attempts    int // attempts started so far
	MaxAttempts int
	RunAt       time.Time
	LastError   string
	CreatedAt   time.Time
}

// Store persists jobs.
type Store interface {
	// InsertJob adds j; it joins the transaction in ctx, if any.
	InsertJob(ctx context.Context, j *Job) error
	// ClaimJobs leases up to limit due pending jobs until now+lease, incrementing their
	// attempts, and returns them. Jobs whose lease ran out are due again.
	ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Job, error)
	// CompleteJob deletes a finished job.
	CompleteJob(ctx context.Context, id string) error
	// RetryJob releases the lease and schedules the job again at runAt.
	RetryJob(ctx context.Context, id string, runAt time.Time, lastErr string) error
	// FailJob marks the job failed for good.
	FailJob(ctx context.Context, id string, lastErr string) error
	// JobStats counts jobs by kind and state.
	JobStats(ctx context.Context) ([]Stat, error)
	// ListJobs returns up to limit jobs in the given state, oldest first.
	ListJobs(ctx context.Context, state State, limit int) ([]*Job, error)
}

// Stat is the number of jobs of one kind in one state.
type Stat struct {
	Kind  string
	State State
	Count int
}
