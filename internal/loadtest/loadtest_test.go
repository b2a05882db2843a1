package loadtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock that only moves when a request says so, so latencies are exact.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestRunPercentilesOnKnownLatencies(t *testing.T) {
	lat := make([]time.Duration, 100) // 1ms..100ms, shuffled
	for i := range lat {
		lat[i] = time.Duration(i+1) * time.Millisecond
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(lat), func(i, j int) { lat[i], lat[j] = lat[j], lat[i] })
	clock := &fakeClock{t: time.Unix(1000, 0)}
	var i int
	res := run(context.Background(), Options{Concurrency: 1, MaxRequests: 100}.normalized(), func(context.Context, int) error {
		clock.advance(lat[i])
		i++
		return nil
	}, clock.now)
	want := Result{Requests: 100, Elapsed: 5050 * time.Millisecond, Rate: 100 / 5.05,
		P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if res != want {
		t.Errorf("run on 1..100ms got %+v, want %+v", res, want)
	}
}

func TestRunWarmupIsNotMeasured(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	var calls int
	o := Options{Concurrency: 1, Warmup: time.Second, Duration: 2 * time.Second}.normalized()
	res := run(context.Background(), o, func(context.Context, int) error {
		calls++
		clock.advance(100 * time.Millisecond)
		return nil
	}, clock.now)
	if calls != 30 || res.Requests != 20 || res.Elapsed != 2*time.Second || res.Rate != 10 {
		t.Errorf("1s warm-up + 2s of 100ms requests: calls %d, result %+v; want 30 calls, 20 measured in 2s, 10/s", calls, res)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2), 50, 1 * time.Millisecond},
		{ms(1, 2), 51, 2 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 100, 10 * time.Millisecond},
	} {
		if got := Percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("Percentile(%v, %v) got %v, want %v", tc.in, tc.p, got, tc.want)
		}
	}
}

// fakeAPI answers every request after delay; every failEvery-th request fails with 429.
func fakeAPI(t *testing.T, delay time.Duration, failEvery int64) (*Client, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		k := n.Add(1)
		time.Sleep(delay)
		if failEvery > 0 && k%failEvery == 0 {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"status":429,"code":"rate_limited","detail":"slow down"}`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"session_token":"t"}`))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(srv.URL, 4)
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

func TestRunHonoursMaxRequests(t *testing.T) {
	c, served := fakeAPI(t, 0, 0)
	sc := Login(c, []Account{{Login: "+79990000001", Password: "x"}})
	res := Run(context.Background(), Options{Concurrency: 4, MaxRequests: 37, Duration: time.Minute}, sc.Do)
	if res.Requests != 37 || served.Load() != 37 || res.Errors != 0 {
		t.Errorf("MaxRequests 37: result %+v, server saw %d; want exactly 37 without errors", res, served.Load())
	}
	if res.Rate <= 0 || res.P50 <= 0 || res.P50 > res.P90 || res.P90 > res.P99 || res.P99 > res.Max {
		t.Errorf("rate and percentiles not sane: %+v", res)
	}
}

func TestRunHonoursDuration(t *testing.T) {
	c, _ := fakeAPI(t, 5*time.Millisecond, 0)
	sc := Login(c, []Account{{Login: "+79990000001", Password: "x"}})
	start := time.Now()
	res := Run(context.Background(), Options{Concurrency: 3, Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond}, sc.Do)
	took := time.Since(start)
	if took < 350*time.Millisecond || took > 2*time.Second {
		t.Errorf("Run took %s; want about 350ms (50ms warm-up + 300ms)", took)
	}
	if res.Elapsed < 300*time.Millisecond || res.Elapsed > time.Second || res.Requests < 10 {
		t.Errorf("result %+v; want about 300ms elapsed and some requests", res)
	}
	if res.P50 < 5*time.Millisecond {
		t.Errorf("p50 %s below the server's 5ms delay", res.P50)
	}
}

func TestRunCountsErrors(t *testing.T) {
	c, _ := fakeAPI(t, 0, 3)
	sc := Login(c, []Account{{Login: "+79990000001", Password: "x"}})
	res := Run(context.Background(), Options{Concurrency: 1, MaxRequests: 30}, sc.Do)
	if res.Requests != 30 || res.Errors != 10 {
		t.Errorf("every third request failing: %d requests, %d errors; want 30 and 10", res.Requests, res.Errors)
	}
	if !strings.Contains(res.FirstError, "429 rate_limited: slow down") {
		t.Errorf("FirstError %q; want the 429 problem", res.FirstError)
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := Run(ctx, Options{Concurrency: 2, Duration: time.Hour}, func(ctx context.Context, _ int) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
			return nil
		}
	})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Run went on %s after its context ended", took)
	}
	if res.Errors != 0 {
		t.Errorf("requests cut short by the caller counted as %d errors", res.Errors)
	}
}

func TestRunIsAlwaysBounded(t *testing.T) {
	o := Options{}.normalized()
	if o.Duration != DefaultDuration || o.Concurrency != 1 {
		t.Errorf("zero Options normalized to %+v; want DefaultDuration and one worker", o)
	}
}

func TestAPIErrorWithoutProblem(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusBadGateway)
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL, 1)
	err := c.GetJSON(context.Background(), "/x", nil)
	var e *APIError
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway || e.Error() != "GET /x: 502" {
		t.Errorf("GetJSON on a 502 got %v; want *APIError GET /x: 502", err)
	}
}
