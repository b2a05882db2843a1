package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"time"
)

// Report is one scenario run: what was driven, what it measured, and for password scenarios
// how it compares with the raw hash.
type Report struct {
	Scenario string
	Server   string
	Options  Options
	Accounts int
	Result   Result
	Hash     *HashBaseline // nil when not measured
	CPU      CPUUsage      // during warm-up and measured time
	Calls    int           // requests started during warm-up and measured time, for CPU per request
}

// RateRatio is successful requests per second over raw hashes per second; 0 without a baseline.
func (r Report) RateRatio() float64 {
	if r.Hash == nil || r.Hash.Rate == 0 {
		return 0
	}
	return r.Result.Rate / r.Hash.Rate
}

// P99Ratio is the p99 latency over the time of one hash; 0 without a baseline.
func (r Report) P99Ratio() float64 {
	if r.Hash == nil || r.Hash.Single == 0 {
		return 0
	}
	return float64(r.Result.P99) / float64(r.Hash.Single)
}

// CostRatio is the CPU time of one raw hash over the CPU time (client and server) of one
// request: the rate ratio a quiet machine would reach with every CPU busy. Unlike RateRatio
// it barely moves when other processes share the machine. 0 when unknown.
func (r Report) CostRatio() float64 {
	per := r.CPU.PerCall(r.Calls)
	if r.Hash == nil || r.Hash.CPUPerHash == 0 || per == 0 || r.CPU.Server < 0 {
		return 0
	}
	return float64(r.Hash.CPUPerHash) / float64(per)
}

// QueueFloor is the least mean latency that Concurrency workers in a closed loop can see
// when hashing is the bottleneck: by Little's law, Concurrency over the raw hash rate (never
// less than one hash). 0 without a baseline or in an open loop.
func (r Report) QueueFloor() time.Duration {
	if r.Hash == nil || r.Hash.Rate == 0 || r.Options.Rate > 0 {
		return 0
	}
	floor := time.Duration(float64(r.Options.Concurrency) / r.Hash.Rate * float64(time.Second))
	return max(floor, r.Hash.Single)
}

// WriteText writes the report for a person.
func (r Report) WriteText(w io.Writer) error {
	res, o := r.Result, r.Options
	p := &printer{w: w}
	p.line("scenario", "%s against %s (%d accounts)", r.Scenario, r.Server, r.Accounts)
	p.line("load", "%s, %s measured after %s warm-up%s", loop(o), o.Duration, o.Warmup, maxReq(o))
	p.line("requests", "%d in %.2fs, %d errors", res.Requests, res.Elapsed.Seconds(), res.Errors)
	p.line("rate", "%.1f/s", res.Rate)
	p.line("latency", "p50 %s  p90 %s  p99 %s  max %s", msText(res.P50), msText(res.P90), msText(res.P99), msText(res.Max))
	if res.FirstError != "" {
		p.line("first error", "%s", res.FirstError)
	}
	if h := r.Hash; h != nil {
		p.line("raw argon2id", "m=%d KiB t=%d p=%d: one hash %s; %.1f/s with %d goroutines, %d at once",
			h.Params.Memory, h.Params.Time, h.Params.Threads, msText(h.Single), h.Rate, h.Concurrency, h.Slots)
		if o := h.CPU.Others(); o >= 0 {
			p.line("", "other processes used %.2f CPUs meanwhile", o)
		}
		p.line("rate/raw", "%.3f", r.RateRatio())
		if cr := r.CostRatio(); cr > 0 {
			p.line("CPU cost", "%s per raw hash, %s (client+server) per request: ratio %.3f",
				msText(h.CPUPerHash), msText(r.CPU.PerCall(r.Calls)), cr)
		}
		p.line("p99/one hash", "%.2f", r.P99Ratio())
		if floor := r.QueueFloor(); floor > 0 {
			p.line("", "closed-loop floor at %d workers: mean latency >= %s = %.2f hashes (Little's law)",
				o.Concurrency, msText(floor), float64(floor)/float64(max(h.Single, 1)))
		}
	}
	p.cpu("client CPU", r.CPU.Client, res.Rate)
	p.cpu("server CPU", r.CPU.Server, res.Rate)
	if o := r.CPU.Others(); o >= 0 {
		p.line("other CPU", "%.2f of %d CPUs used by other processes on this machine", o, runtime.NumCPU())
	}
	return p.err
}

func loop(o Options) string {
	if o.Rate > 0 {
		return fmt.Sprintf("open loop, %.1f/s offered (Poisson), at most %d at once", o.Rate, o.Concurrency)
	}
	return fmt.Sprintf("closed loop, %d workers", o.Concurrency)
}

func maxReq(o Options) string {
	if o.MaxRequests > 0 {
		return fmt.Sprintf(", at most %d requests", o.MaxRequests)
	}
	return ""
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(label, format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, "%-14s %s\n", label, fmt.Sprintf(format, args...))
	}
}

func (p *printer) cpu(label string, cpus, rate float64) {
	if cpus < 0 {
		return
	}
	per := ""
	if rate > 0 {
		per = fmt.Sprintf(", %.3fms per successful request", cpus/rate*1000)
	}
	p.line(label, "%.2f of %d CPUs%s", cpus, runtime.NumCPU(), per)
}

func msText(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

type reportJSON struct {
	Scenario    string     `json:"scenario"`
	Server      string     `json:"server"`
	Concurrency int        `json:"concurrency"`
	DurationS   float64    `json:"duration_s"`
	WarmupS     float64    `json:"warmup_s"`
	MaxRequests int        `json:"max_requests,omitempty"`
	Rate        float64    `json:"offered_rate_per_s,omitempty"`
	Accounts    int        `json:"accounts"`
	Result      Result     `json:"result"`
	Hash        *hashJSON  `json:"raw_hash,omitempty"`
	RateRatio   float64    `json:"rate_ratio,omitempty"`
	CostRatio   float64    `json:"cpu_cost_ratio,omitempty"`
	CPUPerCall  float64    `json:"cpu_per_request_ms,omitempty"`
	P99Ratio    float64    `json:"p99_per_hash,omitempty"`
	QueueFloor  float64    `json:"closed_loop_floor_ms,omitempty"`
	ClientCPU   float64    `json:"client_cpus"`
	ServerCPU   float64    `json:"server_cpus"`
	MachineCPU  float64    `json:"machine_cpus"`
	OtherCPU    float64    `json:"other_cpus"`
	Machine     machineRef `json:"machine"`
}

type hashJSON struct {
	Memory      uint32  `json:"memory_kib"`
	Time        uint32  `json:"time"`
	Threads     uint8   `json:"threads"`
	Concurrency int     `json:"concurrency"`
	Slots       int     `json:"slots"`
	Single      float64 `json:"single_ms"`
	Rate        float64 `json:"rate_per_s"`
	CPUPerHash  float64 `json:"cpu_per_hash_ms"`
	Parallel    Result  `json:"parallel"`
	OtherCPU    float64 `json:"other_cpus"`
}

type machineRef struct {
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Go         string `json:"go"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
}

// MarshalJSON writes the report with times in milliseconds and the derived ratios.
func (r Report) MarshalJSON() ([]byte, error) {
	o := r.Options
	out := reportJSON{Scenario: r.Scenario, Server: r.Server, Concurrency: o.Concurrency,
		DurationS: o.Duration.Seconds(), WarmupS: o.Warmup.Seconds(), MaxRequests: o.MaxRequests, Rate: o.Rate,
		Accounts: r.Accounts, Result: r.Result, RateRatio: round(r.RateRatio(), 4),
		CostRatio: round(r.CostRatio(), 4), CPUPerCall: ms(r.CPU.PerCall(r.Calls)), P99Ratio: round(r.P99Ratio(), 3),
		QueueFloor: ms(r.QueueFloor()), ClientCPU: round(r.CPU.Client, 3), ServerCPU: round(r.CPU.Server, 3),
		MachineCPU: round(r.CPU.Machine, 3), OtherCPU: round(r.CPU.Others(), 3),
		Machine: machineRef{CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), Go: runtime.Version(),
			OS: runtime.GOOS, Arch: runtime.GOARCH}}
	if h := r.Hash; h != nil {
		out.Hash = &hashJSON{Memory: h.Params.Memory, Time: h.Params.Time, Threads: h.Params.Threads,
			Concurrency: h.Concurrency, Slots: h.Slots, Single: ms(h.Single), Rate: round(h.Rate, 2), CPUPerHash: ms(h.CPUPerHash), Parallel: h.Parallel,
			OtherCPU: round(h.CPU.Others(), 3)}
	}
	return json.Marshal(out)
}
