package registry

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/ident"
)

func TestSimulatorPermissive(t *testing.T) {
	s := newSim(t, SimulatorConfig{Permissive: true})
	ctx := context.Background()
	verified := Result{Outcome: Verified}
	t.Run("unknown snils", func(t *testing.T) {
		got, err := s.CheckSNILS(ctx, stranger, "987-654-321 83")
		if err != nil || got != verified {
			t.Errorf("CheckSNILS = %+v, %v; want %+v", got, err, verified)
		}
	})
	t.Run("known snils still matched", func(t *testing.T) {
		got, err := s.CheckSNILS(ctx, stranger, "112-233-445 95")
		if want := notVerified(ReasonNameMismatch); err != nil || got != want {
			t.Errorf("CheckSNILS = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("unknown document", func(t *testing.T) {
		d := Document{Type: TypeRFPassport, Series: "1234", Number: "567890", IssueDate: date(2020, 1, 1)}
		got, err := s.CheckDocument(ctx, stranger, d)
		if err != nil || got != verified {
			t.Errorf("CheckDocument = %+v, %v; want %+v", got, err, verified)
		}
	})
	t.Run("unknown inn", func(t *testing.T) {
		got, err := s.CheckINN(ctx, stranger, "123456789047")
		if want := (Result{Outcome: Verified, INN: "123456789047"}); err != nil || got != want {
			t.Errorf("CheckINN = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("malformed still rejected", func(t *testing.T) {
		if _, err := s.CheckSNILS(ctx, stranger, "112-233-445 96"); !errors.Is(err, ErrRejected) {
			t.Errorf("CheckSNILS(bad checksum) error = %v, want ErrRejected", err)
		}
	})
}

func TestSimulatorPermissiveINNFillIn(t *testing.T) {
	s := newSim(t, SimulatorConfig{Permissive: true})
	ctx := context.Background()
	tests := []struct {
		name   string
		p      Person
		prefix string // the first ten digits, when known
	}{
		{"in file without inn: from its snils", sidorov, "3456789012"},
		{"known inn kept", ivanov, "7701234567"},
		{"unknown person", stranger, ""},
		{"another unknown person", with(stranger, func(p *Person) { p.FirstName = "Борис" }), ""},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CheckINN(ctx, tt.p, "")
			if err != nil || got.Outcome != Verified || len(got.INN) != 12 {
				t.Fatalf("CheckINN(\"\") = %+v, %v; want verified with a 12-digit INN", got, err)
			}
			if n, err := ident.NormalizeINN(got.INN); err != nil || n != got.INN {
				t.Errorf("made-up INN %q: ident.NormalizeINN = %q, %v", got.INN, n, err)
			}
			if !strings.HasPrefix(got.INN, tt.prefix) {
				t.Errorf("INN %q does not start with %q", got.INN, tt.prefix)
			}
			if again, _ := s.CheckINN(ctx, tt.p, ""); again != got {
				t.Errorf("second CheckINN = %+v, want the same %+v", again, got)
			}
			if seen[got.INN] {
				t.Errorf("INN %q given to two persons", got.INN)
			}
			seen[got.INN] = true
		})
	}
}

func TestMadeUpINN(t *testing.T) {
	for _, digits := range []string{"11223344595", "0010019980", "9999999999", "0000000000", personDigits(stranger)} {
		inn := madeUpINN(digits)
		if _, err := ident.NormalizeINN(inn); err != nil || strings.HasPrefix(inn, "00") {
			t.Errorf("madeUpINN(%q) = %q: %v", digits, inn, err)
		}
	}
}

func TestSimulatorDelay(t *testing.T) {
	s := newSim(t, SimulatorConfig{Delay: 30 * time.Millisecond, Jitter: 20 * time.Millisecond, Rand: rand.New(rand.NewPCG(1, 2))})
	start := time.Now()
	if _, err := s.CheckSNILS(context.Background(), ivanov, "112-233-445 95"); err != nil {
		t.Fatalf("CheckSNILS: %v", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("CheckSNILS returned after %v, want at least the 30ms delay", d)
	}
	for range 100 {
		if j := s.jitter(); j < 0 || j >= 20*time.Millisecond {
			t.Fatalf("jitter() = %v, want within [0, 20ms)", j)
		}
	}
}

func TestSimulatorDelayCancel(t *testing.T) {
	s := newSim(t, SimulatorConfig{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.CheckDocument(ctx, ivanov, ivanovPassport)
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CheckDocument error = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("CheckDocument returned after %v, want soon after the context ended", d)
	}
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := newSim(t, SimulatorConfig{}).CheckINN(cancelled, ivanov, ""); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("CheckINN(cancelled) error = %v, want ErrUnavailable and Canceled", err)
	}
}

func TestSimulatorErrorRate(t *testing.T) {
	failures := func(rate float64, seed uint64) []int {
		s := newSim(t, SimulatorConfig{ErrorRate: rate, Rand: rand.New(rand.NewPCG(seed, 7))})
		var failed []int
		for i := range 2000 {
			_, err := s.CheckSNILS(context.Background(), ivanov, "112-233-445 95")
			if err != nil {
				if !errors.Is(err, ErrUnavailable) {
					t.Fatalf("call %d: error %v, want ErrUnavailable", i, err)
				}
				failed = append(failed, i)
			}
		}
		return failed
	}
	if n := len(failures(0, 1)); n != 0 {
		t.Errorf("rate 0: %d failures, want none", n)
	}
	if n := len(failures(1, 1)); n != 2000 {
		t.Errorf("rate 1: %d failures, want 2000", n)
	}
	a, b := failures(0.25, 42), failures(0.25, 42)
	if len(a) < 400 || len(a) > 600 {
		t.Errorf("rate 0.25: %d failures of 2000, want about 500", len(a))
	}
	if len(a) != len(b) || a[0] != b[0] || a[len(a)-1] != b[len(b)-1] {
		t.Errorf("the same seed gave different failures")
	}
}

func TestSimulatorOutage(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	absolute := Window{From: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	nightly := Window{Daily: true, Start: 23 * time.Hour, End: time.Hour, Location: moscow}
	tests := []struct {
		name string
		now  time.Time
		down bool
	}{
		{"before absolute", time.Date(2026, 3, 1, 9, 59, 59, 0, time.UTC), false},
		{"absolute start", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), true},
		{"inside absolute, other zone", time.Date(2026, 3, 1, 14, 0, 0, 0, moscow), true},
		{"absolute end", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), false},
		{"nightly before midnight", time.Date(2026, 3, 5, 23, 30, 0, 0, moscow), true},
		{"nightly after midnight", time.Date(2026, 3, 5, 21, 30, 0, 0, time.UTC), true},
		{"nightly end", time.Date(2026, 3, 6, 1, 0, 0, 0, moscow), false},
		{"midday", time.Date(2026, 3, 6, 12, 0, 0, 0, moscow), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, SimulatorConfig{Outages: []Window{absolute, nightly}, Now: func() time.Time { return tt.now }})
			_, err := s.CheckINN(context.Background(), ivanov, "770123456703")
			if down := errors.Is(err, ErrUnavailable); down != tt.down || (err != nil && !down) {
				t.Errorf("CheckINN at %v: error %v, want down=%v", tt.now, err, tt.down)
			}
		})
	}
}

func TestSimulatorConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  SimulatorConfig
		ok   bool
	}{
		{"zero", SimulatorConfig{}, true},
		{"full", SimulatorConfig{Delay: time.Second, Jitter: time.Second, ErrorRate: 0.5, Outages: []Window{{Daily: true, Start: 0, End: day}}}, true},
		{"negative delay", SimulatorConfig{Delay: -1}, false},
		{"negative jitter", SimulatorConfig{Jitter: -1}, false},
		{"rate above 1", SimulatorConfig{ErrorRate: 1.5}, false},
		{"negative rate", SimulatorConfig{ErrorRate: -0.1}, false},
		{"NaN rate", SimulatorConfig{ErrorRate: math.NaN()}, false},
		{"empty window", SimulatorConfig{Outages: []Window{{From: time.Unix(10, 0), To: time.Unix(10, 0)}}}, false},
		{"zero window", SimulatorConfig{Outages: []Window{{}}}, false},
		{"missing data file", SimulatorConfig{DataFile: "testdata/nonexistent.json"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSimulator(tt.cfg)
			if (err == nil) != tt.ok {
				t.Errorf("NewSimulator(%+v) error = %v, want ok=%v", tt.cfg, err, tt.ok)
			}
		})
	}
}

func TestSimulatorConcurrent(t *testing.T) {
	s := newSim(t, SimulatorConfig{ErrorRate: 0.5, Jitter: time.Millisecond, Rand: rand.New(rand.NewPCG(3, 4))})
	done := make(chan error)
	for range 8 {
		go func() {
			var err error
			for range 50 {
				if _, e := s.CheckSNILS(context.Background(), ivanov, "112-233-445 95"); e != nil && !errors.Is(e, ErrUnavailable) {
					err = e
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Errorf("CheckSNILS: %v", err)
		}
	}
}
