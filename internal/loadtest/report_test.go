package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/credential"
)

func TestMeasureHash(t *testing.T) {
	p := credential.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // cheap
	b, err := MeasureHash(context.Background(), p, 3, 0, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if b.Single <= 0 || b.Rate <= 0 || b.Slots < 1 || b.Concurrency != 3 || b.Parallel.Requests == 0 {
		t.Errorf("MeasureHash: %+v; want a single-hash time, a rate, slots and 3 goroutines", b)
	}
	if _, err := MeasureHash(context.Background(), credential.Params{}, 1, 1, 100*time.Millisecond); err == nil {
		t.Error("MeasureHash with invalid parameters succeeded")
	}
}

func sampleReport() Report {
	return Report{Scenario: "login", Server: "http://127.0.0.1:1", Accounts: 50,
		Options: Options{Concurrency: 8, Duration: 20 * time.Second, Warmup: 2 * time.Second},
		Result: Result{Requests: 1800, Elapsed: 20 * time.Second, Rate: 90, P50: 88 * time.Millisecond,
			P90: 92 * time.Millisecond, P99: 100 * time.Millisecond, Max: 120 * time.Millisecond},
		Hash: &HashBaseline{Params: credential.DefaultParams(), Concurrency: 8, Slots: 2,
			Single: 20 * time.Millisecond, Rate: 100},
		CPU: CPUUsage{Client: 0.05, Server: 1.9}}
}

func TestReportRatios(t *testing.T) {
	r := sampleReport()
	if got := r.RateRatio(); got != 0.9 {
		t.Errorf("RateRatio got %v, want 0.9", got)
	}
	if got := r.P99Ratio(); got != 5 {
		t.Errorf("P99Ratio got %v, want 5", got)
	}
	if got := r.QueueFloor(); got != 80*time.Millisecond {
		t.Errorf("QueueFloor got %v, want 8/100/s = 80ms", got)
	}
	r.Hash = nil
	if r.RateRatio() != 0 || r.P99Ratio() != 0 || r.QueueFloor() != 0 {
		t.Error("ratios without a baseline are not 0")
	}
}

func TestReportText(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rate           90.0/s", "p99 100.0ms", "one hash 20.0ms; 100.0/s", "rate/raw       0.900",
		"p99/one hash   5.00", "server CPU     1.90"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestReportJSON(t *testing.T) {
	data, err := json.Marshal(sampleReport())
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Result struct {
			Rate float64 `json:"rate_per_s"`
			P99  float64 `json:"p99_ms"`
		} `json:"result"`
		Hash struct {
			Single float64 `json:"single_ms"`
		} `json:"raw_hash"`
		RateRatio float64 `json:"rate_ratio"`
		P99Ratio  float64 `json:"p99_per_hash"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Result.Rate != 90 || got.Result.P99 != 100 || got.Hash.Single != 20 || got.RateRatio != 0.9 || got.P99Ratio != 5 {
		t.Errorf("JSON report %s: figures do not round-trip", data)
	}
}

func TestMetricSeconds(t *testing.T) {
	text := []byte("# HELP process_cpu_seconds_total x\n# TYPE process_cpu_seconds_total counter\n" +
		"process_cpu_seconds_total_other 9\nprocess_cpu_seconds_total 12.5\n")
	if d, ok := metricSeconds(text, "process_cpu_seconds_total"); !ok || d != 12500*time.Millisecond {
		t.Errorf("metricSeconds got %v %v, want 12.5s", d, ok)
	}
	if _, ok := metricSeconds([]byte("nothing 1\n"), "process_cpu_seconds_total"); ok {
		t.Error("metricSeconds found a missing metric")
	}
}
