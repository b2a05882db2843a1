package loadtest

import (
	"context"
	"math/rand/v2"
	"time"
)

// schedule sends Poisson arrival times at Options.Rate to the workers until the run's bound,
// then closes arrivals. An arrival keeps its scheduled time however late a worker takes it.
// Arrivals still unsent when the measured time ends are dropped.
func (r *runner) schedule(ctx context.Context, arrivals chan<- time.Time) {
	defer close(arrivals)
	rng := rand.New(rand.NewPCG(uint64(r.from.UnixNano()), 0x5eed))
	next := r.now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next = next.Add(time.Duration(rng.ExpFloat64() / r.o.Rate * float64(time.Second)))
		if !next.Before(r.from) && !r.claim(next) {
			return
		}
		if wait := next.Sub(r.now()); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
		}
		if !r.until.IsZero() && !r.now().Before(r.until) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case arrivals <- next:
		}
	}
}

// take is one worker of an open loop: it runs each arrival it receives, measuring from the
// scheduled time.
func (r *runner) take(ctx context.Context, w int, s *sample, arrivals <-chan time.Time) {
	for at := range arrivals {
		err := r.fn(ctx, w)
		end := r.now()
		if at.Before(r.from) || r.caller.Err() != nil {
			continue
		}
		s.record(at, end, err)
	}
}
