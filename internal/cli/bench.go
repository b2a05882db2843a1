package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/loadtest"
)

func benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load tools that drive a running Civis server",
		Long: "Load tools that drive a running Civis server over its public API.\n\n" +
			"Accounts are registered through the self-service API with codes read from the dev outbox,\n" +
			"so the server must run with --dev, and with --rate-limit-scale high enough for the\n" +
			"registrations from one address (e.g. 100). They are kept in --accounts-file for the next run.",
	}
	cmd.AddCommand(benchLoginCmd(), benchOIDCCmd())
	return cmd
}

// benchFlags are the flags every scenario shares.
type benchFlags struct {
	url              string
	run              loadtest.Options
	accounts         int
	accountsFile     string
	setupConcurrency int
	json             bool
}

func bindBenchFlags(fs *pflag.FlagSet) *benchFlags {
	f := &benchFlags{}
	fs.StringVar(&f.url, "url", "http://127.0.0.1:8080", "base URL of the server under load")
	fs.IntVar(&f.run.Concurrency, "concurrency", 8, "workers sending requests back to back (with --rate: requests at once at most)")
	fs.Float64Var(&f.run.Rate, "rate", 0, "open loop: offer this many requests per second at random (Poisson) times instead")
	fs.DurationVar(&f.run.Duration, "duration", 20*time.Second, "measured time")
	fs.DurationVar(&f.run.Warmup, "warmup", 2*time.Second, "unmeasured load before the measured time")
	fs.IntVar(&f.run.MaxRequests, "max-requests", 0, "stop after this many measured requests (0: no limit)")
	fs.IntVar(&f.accounts, "accounts", 50, "accounts to sign in with (registered when missing)")
	fs.StringVar(&f.accountsFile, "accounts-file", "./bench-data/accounts.json", "where the accounts are kept between runs")
	fs.IntVar(&f.setupConcurrency, "setup-concurrency", 4, "registrations at once while creating accounts")
	fs.BoolVar(&f.json, "json", false, "print the report as JSON")
	return f
}

// prepare checks the flags and returns a client and the accounts the scenario signs in with.
func (f *benchFlags) prepare(ctx context.Context, log io.Writer) (*loadtest.Client, []loadtest.Account, error) {
	if f.run.Concurrency < 1 || f.run.Duration < 0 || f.run.Warmup < 0 || f.run.MaxRequests < 0 || f.run.Rate < 0 || f.accounts < 1 {
		return nil, nil, errors.New("--concurrency and --accounts must be at least 1, the rest not negative")
	}
	if f.run.Duration == 0 && f.run.MaxRequests == 0 {
		return nil, nil, errors.New("give --duration or --max-requests: a run must be bounded")
	}
	c, err := loadtest.NewClient(f.url, f.run.Concurrency)
	if err != nil {
		return nil, nil, err
	}
	accts, err := loadtest.Setup(ctx, c, loadtest.SetupOptions{Accounts: f.accounts,
		Concurrency: f.setupConcurrency, File: f.accountsFile, Log: log})
	if err != nil {
		return nil, nil, fmt.Errorf("accounts: %w", err)
	}
	return c, accts, nil
}

// drive runs sc with the flags' options, measuring CPU on both sides.
func (f *benchFlags) drive(ctx context.Context, c *loadtest.Client, sc loadtest.Scenario, accounts int, log io.Writer) loadtest.Report {
	load := fmt.Sprintf("%d workers in a closed loop", f.run.Concurrency)
	if f.run.Rate > 0 {
		load = fmt.Sprintf("%.1f/s offered, at most %d at once", f.run.Rate, f.run.Concurrency)
	}
	fmt.Fprintf(log, "driving %s: %s, %s warm-up, %s measured\n", sc.Name, load, f.run.Warmup, f.run.Duration)
	var calls atomic.Int64
	meter := loadtest.StartCPU(ctx, c)
	res := loadtest.Run(ctx, f.run, func(ctx context.Context, w int) error {
		calls.Add(1)
		return sc.Do(ctx, w)
	})
	return loadtest.Report{Scenario: sc.Name, Server: c.BaseURL, Options: f.run, Accounts: accounts,
		Result: res, CPU: meter.Stop(ctx), Calls: int(calls.Load())}
}

// print writes rep as text or JSON; failed requests make the command fail after printing.
func (f *benchFlags) print(ctx context.Context, w io.Writer, rep loadtest.Report) error {
	var err error
	if f.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(w)
	}
	switch {
	case err != nil:
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case rep.Result.Errors > 0:
		return fmt.Errorf("%d of %d requests failed; first: %s", rep.Result.Errors, rep.Result.Requests, rep.Result.FirstError)
	}
	return nil
}

// hashFlags mirror the server's argon2id flags and read the same CIVIS_* variables, so the
// baseline uses the parameters the server was started with.
type hashFlags struct {
	fs       *pflag.FlagSet
	params   credential.Params
	slots    int
	duration time.Duration
	skip     bool
}

func bindHashFlags(fs *pflag.FlagSet) *hashFlags {
	h := &hashFlags{fs: pflag.NewFlagSet("hash", pflag.ContinueOnError), params: credential.DefaultParams()}
	h.fs.Uint32Var(&h.params.Memory, "argon2-memory", h.params.Memory, "argon2id memory in KiB, as on the server")
	h.fs.Uint32Var(&h.params.Time, "argon2-time", h.params.Time, "argon2id iterations, as on the server")
	h.fs.Uint8Var(&h.params.Threads, "argon2-threads", h.params.Threads, "argon2id parallelism, as on the server")
	h.fs.IntVar(&h.slots, "hash-concurrency", 0, "hashes computed at once, as on the server (default: CPU count)")
	fs.AddFlagSet(h.fs)
	fs.DurationVar(&h.duration, "hash-duration", 6*time.Second, "time spent measuring the raw hash rate")
	fs.BoolVar(&h.skip, "skip-hash", false, "do not measure the raw hash rate")
	return h
}

// load applies the CIVIS_* variables and checks the parameters.
func (h *hashFlags) load() error {
	if err := config.ApplyEnv(h.fs, nil); err != nil {
		return err
	}
	if err := h.params.Validate(); err != nil {
		return fmt.Errorf("--argon2-*: %w", err)
	}
	return nil
}

// measure returns the raw hash baseline at concurrency workers, or nil with --skip-hash.
func (h *hashFlags) measure(ctx context.Context, concurrency int, log io.Writer) (*loadtest.HashBaseline, error) {
	if h.skip {
		return nil, nil
	}
	fmt.Fprintf(log, "measuring raw argon2id for %s\n", h.duration)
	b, err := loadtest.MeasureHash(ctx, h.params, concurrency, h.slots, h.duration)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func benchLoginCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Password sign-ins (POST /api/v1/sessions) against the raw argon2id rate",
		Long: "Measures the raw argon2id rate on this machine with the server's parameters (one hash alone,\n" +
			"then --concurrency goroutines), then drives POST /api/v1/sessions with --concurrency workers\n" +
			"and prints sign-ins per second, latency percentiles and their ratios to the raw hash.",
		Args: cobra.NoArgs,
	}
	f := bindBenchFlags(cmd.Flags())
	h := bindHashFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx, log := cmd.Context(), cmd.ErrOrStderr()
		if err := h.load(); err != nil {
			return err
		}
		c, accts, err := f.prepare(ctx, log)
		if err != nil {
			return err
		}
		base, err := h.measure(ctx, f.run.Concurrency, log)
		if err != nil {
			return err
		}
		rep := f.drive(ctx, c, loadtest.Login(c, accts), len(accts), log)
		rep.Hash = base
		return f.print(ctx, cmd.OutOrStdout(), rep)
	}
	return cmd
}
