package loadtest

import (
	"encoding/json"
	"math"
	"slices"
	"time"
)

// Result summarizes the measured requests of a run. Latencies are those of successful
// requests, measured from just before the call to just after it returned.
type Result struct {
	Requests   int           // measured requests that finished, failed or not
	Errors     int           // measured requests that failed
	Elapsed    time.Duration // from the start of the measured time to the end of the last measured request
	Rate       float64       // successful requests per second of Elapsed
	P50        time.Duration // latency percentiles (nearest rank) and maximum
	P90        time.Duration
	P99        time.Duration
	Max        time.Duration
	FirstError string // the earliest error, empty without errors
}

func summarize(samples []sample, from time.Time) Result {
	var res Result
	var all []time.Duration
	var last, firstAt time.Time
	for _, s := range samples {
		res.Requests += s.requests
		res.Errors += s.errors
		all = append(all, s.latencies...)
		if s.last.After(last) {
			last = s.last
		}
		if s.firstErr != nil && (res.FirstError == "" || s.firstAt.Before(firstAt)) {
			res.FirstError, firstAt = s.firstErr.Error(), s.firstAt
		}
	}
	if last.After(from) {
		res.Elapsed = last.Sub(from)
		res.Rate = float64(len(all)) / res.Elapsed.Seconds()
	}
	slices.Sort(all)
	res.P50, res.P90, res.P99 = Percentile(all, 50), Percentile(all, 90), Percentile(all, 99)
	if len(all) > 0 {
		res.Max = all[len(all)-1]
	}
	return res
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted latencies by the nearest-rank
// method: the smallest value with at least p% of the values at or below it. It is 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// resultJSON is Result with times in milliseconds.
type resultJSON struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	ElapsedS   float64 `json:"elapsed_s"`
	Rate       float64 `json:"rate_per_s"`
	P50        float64 `json:"p50_ms"`
	P90        float64 `json:"p90_ms"`
	P99        float64 `json:"p99_ms"`
	Max        float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

// MarshalJSON writes the result with times in milliseconds (elapsed in seconds).
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(resultJSON{Requests: r.Requests, Errors: r.Errors, ElapsedS: r.Elapsed.Seconds(),
		Rate: round(r.Rate, 2), P50: ms(r.P50), P90: ms(r.P90), P99: ms(r.P99), Max: ms(r.Max), FirstError: r.FirstError})
}

// ms converts d to milliseconds with microsecond precision.
func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }

func round(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}
