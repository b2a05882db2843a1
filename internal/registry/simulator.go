package registry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// SimulatorConfig configures a [Simulator].
type SimulatorConfig struct {
	// DataFile is a JSON array or a CSV file of persons (docs/registries.md);
	// "" means the embedded sample.
	DataFile string
	// Permissive makes every well-formed value unknown to the data file
	// verified; persons in the file are still checked against it.
	Permissive bool
	// Delay and a uniformly random extra of up to Jitter are waited before
	// every answer.
	Delay, Jitter time.Duration
	// ErrorRate is the probability (0 to 1) that an answer is ErrUnavailable.
	ErrorRate float64
	// Outages are windows in which every check fails at once with
	// ErrUnavailable.
	Outages []Window
	// Now is the clock for outage windows; nil means time.Now.
	Now func() time.Time
	// Rand draws jitter and errors; nil means the global source. Tests pass
	// a seeded one.
	Rand *rand.Rand
}

// Validate reports every problem of c that does not need the data file.
func (c SimulatorConfig) Validate() error {
	var errs []error
	if c.Delay < 0 || c.Jitter < 0 {
		errs = append(errs, errors.New("registry simulator delay and jitter must not be negative"))
	}
	if !(c.ErrorRate >= 0 && c.ErrorRate <= 1) {
		errs = append(errs, errors.New("registry simulator error rate must be between 0 and 1"))
	}
	for i, w := range c.Outages {
		if err := w.validate(); err != nil {
			errs = append(errs, fmt.Errorf("registry simulator outage %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

// Simulator plays the pension fund, the interior ministry and the tax
// service from a data file of persons. It is safe for concurrent use.
type Simulator struct {
	cfg  SimulatorConfig
	data *index

	mu sync.Mutex // guards cfg.Rand, which is not safe for concurrent use
}

// NewSimulator validates cfg and loads its data file.
func NewSimulator(cfg SimulatorConfig) (*Simulator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	data, err := loadFile(cfg.DataFile)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Simulator{cfg: cfg, data: data}, nil
}

// Registries returns s as all three checkers.
func (s *Simulator) Registries() Registries {
	return Registries{SNILS: s, Document: s, INN: s}
}

// answer plays the registry's availability: an outage fails at once; then
// the delay is waited (or ctx ends it), and the error rate may fail the
// call. A nil error means the registry answers.
func (s *Simulator) answer(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrUnavailable, err)
	}
	now := s.cfg.Now()
	for _, w := range s.cfg.Outages {
		if w.Contains(now) {
			return fmt.Errorf("%s: simulated outage: %w", name, ErrUnavailable)
		}
	}
	if err := sleep(ctx, s.cfg.Delay+s.jitter()); err != nil {
		return fmt.Errorf("%s: %w: %w", name, ErrUnavailable, err)
	}
	if s.cfg.ErrorRate > 0 && s.float() < s.cfg.ErrorRate {
		return fmt.Errorf("%s: simulated failure: %w", name, ErrUnavailable)
	}
	return nil
}

// jitter draws an extra delay in [0, Jitter).
func (s *Simulator) jitter() time.Duration {
	if s.cfg.Jitter <= 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.Rand == nil {
		return rand.N(s.cfg.Jitter)
	}
	return time.Duration(s.cfg.Rand.Int64N(int64(s.cfg.Jitter)))
}

// float draws a number in [0, 1).
func (s *Simulator) float() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.Rand == nil {
		return rand.Float64()
	}
	return s.cfg.Rand.Float64()
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rejected wraps a validation failure of a request as [ErrRejected].
func rejected(name string, err error) error {
	return fmt.Errorf("%s: %w: %w", name, ErrRejected, err)
}

// Interface guards.
var (
	_ SNILSChecker    = (*Simulator)(nil)
	_ DocumentChecker = (*Simulator)(nil)
	_ INNChecker      = (*Simulator)(nil)
)
