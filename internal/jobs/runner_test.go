package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/store/sqlstore"
)

func newStore(t *testing.T) *sqlstore.DB {
	t.Helper()
	k, err := pii.Generate()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "j.db"), k, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func TestRunnerRetriesThenSucceeds(t *testing.T) {
	db := newStore(t)
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	q := &jobs.Queue{Store: db, Now: clk.Now}
	var calls atomic.Int32
	r := &jobs.Runner{Store: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handlers: map[string]jobs.Handler{"flaky": func(_ context.Context, j *jobs.Job) error {
			if string(j.Payload) != "p" {
				t.Errorf("payload = %q", j.Payload)
			}
			if calls.Add(1) < 3 {
				return errors.New("gateway timeout")
			}
			return nil
		}}}
	ctx := context.Background()
	if err := q.Enqueue(ctx, "flaky", []byte("p")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if n := r.RunOnce(ctx); n != 1 {
			t.Fatalf("round %d ran %d jobs, want 1", i, n)
		}
		if n := r.RunOnce(ctx); n != 0 {
			t.Fatalf("a retried job ran again before its backoff")
		}
		clk.now = clk.now.Add(time.Hour)
	}
	stats, _ := db.JobStats(ctx)
	if calls.Load() != 3 || len(stats) != 0 {
		t.Errorf("calls = %d, queue = %v; want 3 calls and an empty queue", calls.Load(), stats)
	}
}

func TestRunnerPermanentAndPanic(t *testing.T) {
	db := newStore(t)
	clk := &clock{now: time.Now()}
	q := &jobs.Queue{Store: db, Now: clk.Now}
	r := &jobs.Runner{Store: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handlers: map[string]jobs.Handler{
			"bad":   func(context.Context, *jobs.Job) error { return jobs.Permanent(errors.New("invalid recipient")) },
			"panic": func(context.Context, *jobs.Job) error { panic("boom") },
		}}
	ctx := context.Background()
	for _, k := range []string{"bad", "panic", "unknown"} {
		if err := q.Enqueue(ctx, k, nil); err != nil {
			t.Fatal(err)
		}
	}
	r.RunOnce(ctx)
	failed, _ := db.ListJobs(ctx, jobs.Failed, 10)
	if len(failed) != 3 {
		t.Fatalf("failed jobs = %d, want 3 (permanent error, panic, no handler)", len(failed))
	}
	clk.now = clk.now.Add(24 * time.Hour)
	if n := r.RunOnce(ctx); n != 0 {
		t.Errorf("failed jobs were run again")
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	for attempt, bounds := range map[int][2]time.Duration{
		1: {500 * time.Millisecond, time.Second}, 2: {time.Second, 2 * time.Second},
		5: {8 * time.Second, 16 * time.Second}, 30: {30 * time.Minute, time.Hour},
	} {
		for range 50 {
			if d := jobs.Backoff(attempt); d < bounds[0] || d > bounds[1] {
				t.Errorf("Backoff(%d) = %v, want within %v", attempt, d, bounds)
			}
		}
	}
}
