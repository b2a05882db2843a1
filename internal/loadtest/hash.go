package loadtest

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/civis-id/civis/internal/credential"
)

// HashBaseline is the raw cost of argon2id on this machine, measured in this process with
// the server's parameters: the ceiling of password sign-ins per second.
type HashBaseline struct {
	Params      credential.Params
	Concurrency int           // goroutines hashing in the parallel measurement
	Slots       int           // hashes computed at once (the server's --hash-concurrency)
	Single      time.Duration // median time of one hash with nothing else running
	Rate        float64       // hashes per second at Concurrency
	Parallel    Result        // the parallel measurement
	CPUPerHash  time.Duration // CPU time per hash in the parallel measurement (warm-up included)
	CPU         CPUUsage      // during the parallel measurement
}

// MeasureHash measures p for about d: a quarter of it one hash at a time (Single), the rest
// with concurrency goroutines sharing a Hasher of slots (Rate; slots <= 0 means GOMAXPROCS,
// as on the server).
func MeasureHash(ctx context.Context, p credential.Params, concurrency, slots int, d time.Duration) (HashBaseline, error) {
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	warm := min(d/10, time.Second)
	single, _, err := hashRun(ctx, p, 1, Options{Concurrency: 1, Duration: d / 4, Warmup: warm})
	if err != nil {
		return HashBaseline{}, err
	}
	meter := StartCPU(ctx, nil)
	parallel, n, err := hashRun(ctx, p, slots, Options{Concurrency: concurrency, Duration: d - d/4, Warmup: warm})
	if err != nil {
		return HashBaseline{}, err
	}
	cpu := meter.Stop(ctx)
	return HashBaseline{Params: p, Concurrency: max(concurrency, 1), Slots: slots,
		Single: single.P50, Rate: parallel.Rate, Parallel: parallel, CPUPerHash: cpu.PerCall(n), CPU: cpu}, nil
}

// hashRun hashes with a Hasher of slots as o says; it returns the result and the number of
// hashes, warm-up included.
func hashRun(ctx context.Context, p credential.Params, slots int, o Options) (Result, int, error) {
	h := credential.NewHasher(p, slots)
	var n atomic.Int64
	res := Run(ctx, o, func(ctx context.Context, _ int) error {
		n.Add(1)
		_, err := h.Hash(ctx, "Correct-Horse-9")
		return err
	})
	if err := ctx.Err(); err != nil {
		return res, 0, err
	}
	if res.Errors > 0 || res.Requests == 0 {
		return res, 0, fmt.Errorf("argon2id baseline: %d of %d hashes failed: %s", res.Errors, res.Requests, res.FirstError)
	}
	return res, int(n.Load()), nil
}
