package proofing_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/registry"
	"github.com/civis-id/civis/internal/store/storetest"
)

// Throughput of registry checks through the real job runner: a zero-delay simulator, several
// workers, SQLite (and PostgreSQL when CIVIS_TEST_POSTGRES is set).
//
//	go test -run '^$' -bench RegistryChecks -benchtime 6000x ./internal/proofing
//	CIVIS_PROOFING_DRAIN=100000 go test -run TestDrain -v -timeout 1h ./internal/proofing

var benchWorkers = envInt("CIVIS_BENCH_WORKERS", 64)

func engines() []string {
	if storetest.PostgresDSN() != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// drainEnv is an env on the real clock with a zero-delay simulator and a runner of
// benchWorkers workers that reports each finished check job's duration.
func drainEnv(tb testing.TB, engine string) (*env, *durations) {
	sim, err := registry.NewSimulator(registry.SimulatorConfig{Permissive: true})
	if err != nil {
		tb.Fatal(err)
	}
	e := newEnvOn(tb, openDB(tb, engine), sim.Registries())
	e.svc.Now, e.svc.Queue.Now, e.svc.Outbox.Now, e.svc.Audit.Now = time.Now, time.Now, time.Now, time.Now
	e.runner.Now, e.runner.Workers, e.runner.Batch = time.Now, benchWorkers, 2*benchWorkers
	d := &durations{}
	e.runner.Observer.Done = func(kind string, took time.Duration, err error) {
		if kind == proofing.JobKind && err == nil {
			d.add(took)
		}
	}
	return e, d
}

// durations records check job durations and completion times, in completion order.
type durations struct {
	mu sync.Mutex
	d  []time.Duration
	at []time.Time
	n  atomic.Int64
}

func (d *durations) add(x time.Duration) {
	d.mu.Lock()
	d.d, d.at = append(d.d, x), append(d.at, time.Now())
	d.mu.Unlock()
	d.n.Add(1)
}

// queueChecks creates accounts with complete profiles and submits them: 3 checks each.
func queueChecks(tb testing.TB, e *env, checks int) []string {
	tb.Helper()
	var ids []string
	for i := 0; i*3 < checks; i++ {
		a := e.newAccount(account.Simplified)
		e.fill(a.ID, patchFor(i))
		e.submit(a.ID)
		ids = append(ids, a.ID)
	}
	return ids
}

// drain runs the runner until want check jobs have finished and returns the elapsed time.
func drain(tb testing.TB, e *env, d *durations, want int) time.Duration {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() { e.runner.Run(ctx); close(done) }()
	deadline := time.Now().Add(30 * time.Minute)
	for d.n.Load() < int64(want) && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	took := time.Since(start)
	cancel()
	<-done
	if got := d.n.Load(); got < int64(want) {
		tb.Fatalf("only %d of %d checks finished", got, want)
	}
	return took
}

func BenchmarkRegistryChecks(b *testing.B) {
	for _, engine := range engines() {
		b.Run(engine, func(b *testing.B) {
			e, d := drainEnv(b, engine)
			n := ((b.N + 2) / 3) * 3
			ids := queueChecks(b, e, n)
			b.ResetTimer()
			took := drain(b, e, d, n)
			b.StopTimer()
			b.ReportMetric(float64(n)/took.Seconds(), "checks/s")
			b.ReportMetric(0, "ns/op")
			verifyAllPassed(b, e, ids)
		})
	}
}

// verifyAllPassed checks that no check job is left and that sampled submissions passed.
func verifyAllPassed(tb testing.TB, e *env, ids []string) {
	tb.Helper()
	stats, err := e.db.JobStats(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range stats {
		if s.Kind == proofing.JobKind {
			tb.Errorf("%d %s check jobs left in the queue", s.Count, s.State)
		}
	}
	for _, id := range []string{ids[0], ids[len(ids)/2], ids[len(ids)-1]} {
		if _, last := e.profile(id); last.State != proofing.SubmissionVerified {
			tb.Errorf("submission of %s: %s %v", id, last.State, states(last))
		}
	}
}

// TestDrainLatencyFlat queues 10,000 checks (CIVIS_PROOFING_DRAIN overrides), drains them
// with the real runner and compares the first and last tenth: the time a check takes must not
// grow as the queue empties (every query goes through an index).
func TestDrainLatencyFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the 10,000-check drain")
	}
	total := 10_000
	if v, err := strconv.Atoi(os.Getenv("CIVIS_PROOFING_DRAIN")); err == nil && v > 0 {
		total = v
	}
	total = ((total + 2) / 3) * 3
	for _, engine := range engines() {
		t.Run(engine, func(t *testing.T) {
			e, d := drainEnv(t, engine)
			setup := time.Now()
			ids := queueChecks(t, e, total)
			t.Logf("%s: queued %d checks (%d submissions) in %v", engine, total, total/3, time.Since(setup).Round(time.Millisecond))
			took := drain(t, e, d, total)
			t.Logf("%s: drained %d checks in %v: %.0f checks/s", engine, total, took.Round(time.Millisecond), float64(total)/took.Seconds())
			first, last := report(t, d, 10)
			if last > 2*first+time.Millisecond {
				t.Errorf("median check time grew from %v (first tenth) to %v (last tenth)", first, last)
			}
			verifyAllPassed(t, e, ids)
		})
	}
}

// report logs, for each of parts slices of the drain (in completion order), the throughput and
// the median and 99th percentile job time; it returns the medians of the first and last.
func report(t *testing.T, d *durations, parts int) (first, last time.Duration) {
	size := len(d.d) / parts
	for i := range parts {
		lo, hi := i*size, (i+1)*size
		chunk := slices.Clone(d.d[lo:hi])
		slices.Sort(chunk)
		p50, p99 := chunk[len(chunk)/2], chunk[len(chunk)*99/100]
		rate := float64(hi-lo-1) / d.at[hi-1].Sub(d.at[lo]).Seconds()
		t.Log(fmt.Sprintf("  tenth %2d: %6.0f checks/s, job median %8v, p99 %8v", i+1, rate,
			p50.Round(time.Microsecond), p99.Round(time.Microsecond)))
		if i == 0 {
			first = p50
		}
		last = p50
	}
	return first, last
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
