package loadtest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestOpenLoopOffersTheRate(t *testing.T) {
	var calls atomic.Int64
	res := Run(context.Background(), Options{Concurrency: 4, Rate: 400, Duration: 500 * time.Millisecond},
		func(context.Context, int) error {
			calls.Add(1)
			time.Sleep(time.Millisecond)
			return nil
		})
	if res.Requests < 120 || res.Requests > 300 || res.Errors != 0 {
		t.Errorf("400/s for 500ms: %d requests (%+v); want about 200", res.Requests, res)
	}
	if res.P50 < time.Millisecond {
		t.Errorf("p50 %s below the 1ms a request takes", res.P50)
	}
}

func TestOpenLoopCountsTheWaitForAWorker(t *testing.T) {
	// One worker, 20ms per request, 200/s offered: the queue grows, and latency from the
	// scheduled time must show it instead of the 20ms of service alone.
	res := Run(context.Background(), Options{Concurrency: 1, Rate: 200, Duration: 400 * time.Millisecond},
		func(context.Context, int) error {
			time.Sleep(20 * time.Millisecond)
			return nil
		})
	if res.P99 < 100*time.Millisecond {
		t.Errorf("overloaded open loop: p99 %s; want the queueing (well over 100ms) counted", res.P99)
	}
	if res.Rate > 60 {
		t.Errorf("rate %.1f/s beyond what one 20ms worker can do", res.Rate)
	}
}

func TestOpenLoopHonoursMaxRequests(t *testing.T) {
	var calls atomic.Int64
	res := Run(context.Background(), Options{Concurrency: 3, Rate: 2000, MaxRequests: 25},
		func(context.Context, int) error {
			calls.Add(1)
			return nil
		})
	if res.Requests != 25 || calls.Load() != 25 {
		t.Errorf("MaxRequests 25 in an open loop: %d measured, %d calls", res.Requests, calls.Load())
	}
}
