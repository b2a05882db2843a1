package loadtest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultDuration bounds a run whose Options give neither Duration nor MaxRequests.
const DefaultDuration = 10 * time.Second

// DrainTimeout is how long requests still running when the measured Duration ends may take
// to finish; then their context is cancelled and they count as errors.
const DrainTimeout = 30 * time.Second

// Options shape and bound a run. A run always ends: after Duration of measured load, after
// MaxRequests measured requests, or when the caller's context ends, whichever comes first.
type Options struct {
	Concurrency int           // workers; < 1 means 1
	Duration    time.Duration // measured time; 0 with MaxRequests 0 means DefaultDuration
	Warmup      time.Duration // unmeasured load before the measured time
	MaxRequests int           // measured requests at most; 0 means no count bound
	// Rate, when positive, makes the run an open loop: requests are scheduled at random
	// (Poisson) times averaging Rate per second and started by the first free worker, so
	// at most Concurrency run at once; latency counts from the scheduled time, including any
	// wait for a worker. At 0 (the default) each worker sends its next request as soon as
	// the previous one returns (closed loop).
	Rate float64
}

func (o Options) normalized() Options {
	o.Concurrency = max(o.Concurrency, 1)
	o.Duration, o.Warmup, o.MaxRequests = max(o.Duration, 0), max(o.Warmup, 0), max(o.MaxRequests, 0)
	o.Rate = max(o.Rate, 0)
	if o.Duration == 0 && o.MaxRequests == 0 {
		o.Duration = DefaultDuration
	}
	return o
}

// Run calls fn from Concurrency goroutines, each calling again as soon as its previous call
// returns (or, with a Rate, at the scheduled times), first for Warmup (not measured) and then
// until the run's bound. fn gets the
// worker number (0..Concurrency-1); it returns an error for a failed request. Requests still
// running when the bound is reached are waited for and measured. Cancelling ctx stops the
// run; requests cut short by it are not counted.
func Run(ctx context.Context, o Options, fn func(ctx context.Context, worker int) error) Result {
	return run(ctx, o.normalized(), fn, time.Now)
}

// runner is one run in progress.
type runner struct {
	o      Options
	fn     func(ctx context.Context, worker int) error
	now    func() time.Time
	caller context.Context // the caller's context: its end is not an error
	from   time.Time       // measured time starts
	until  time.Time       // measured time ends (zero: no time bound)
	issued atomic.Int64    // measured requests started
}

// sample is what one worker measured.
type sample struct {
	latencies []time.Duration // of successful requests
	requests  int
	errors    int
	firstErr  error
	firstAt   time.Time
	last      time.Time // end of the last measured request
}

func run(ctx context.Context, o Options, fn func(context.Context, int) error, now func() time.Time) Result {
	r := &runner{o: o, fn: fn, now: now, caller: ctx}
	r.from = now().Add(o.Warmup)
	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if o.Duration > 0 {
		stop := time.AfterFunc(o.Warmup+o.Duration+DrainTimeout, cancel)
		defer stop.Stop()
		r.until = r.from.Add(o.Duration)
	}
	samples := make([]sample, o.Concurrency)
	var wg sync.WaitGroup
	if o.Rate > 0 {
		arrivals := make(chan time.Time)
		wg.Go(func() { r.schedule(reqCtx, arrivals) })
		for w := range samples {
			wg.Go(func() { r.take(reqCtx, w, &samples[w], arrivals) })
		}
	} else {
		for w := range samples {
			wg.Go(func() { r.work(reqCtx, w, &samples[w]) })
		}
	}
	wg.Wait()
	return summarize(samples, r.from)
}

// work is one worker's loop.
func (r *runner) work(ctx context.Context, w int, s *sample) {
	for r.caller.Err() == nil {
		start := r.now()
		measured := !start.Before(r.from)
		if measured && !r.claim(start) {
			return
		}
		err := r.fn(ctx, w)
		end := r.now()
		if !measured || r.caller.Err() != nil {
			continue
		}
		s.record(start, end, err)
	}
}

// claim reports whether a measured request may start at t.
func (r *runner) claim(t time.Time) bool {
	if !r.until.IsZero() && !t.Before(r.until) {
		return false
	}
	return r.o.MaxRequests == 0 || r.issued.Add(1) <= int64(r.o.MaxRequests)
}

func (s *sample) record(start, end time.Time, err error) {
	s.requests++
	if end.After(s.last) {
		s.last = end
	}
	if err == nil {
		s.latencies = append(s.latencies, end.Sub(start))
		return
	}
	s.errors++
	if s.firstErr == nil {
		s.firstErr, s.firstAt = err, start
	}
}
