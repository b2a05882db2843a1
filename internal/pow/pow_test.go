package pow_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/store"
)

// memory is an in-memory pow.Store and ratelimit.Store.
type memory struct {
	mu       sync.Mutex
	used     map[string]time.Time
	counters map[string]int
}

func newMemory() *memory { return &memory{used: map[string]time.Time{}, counters: map[string]int{}} }

func (m *memory) UsePoW(_ context.Context, id string, exp time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.used[id]; ok {
		return store.ErrConflict
	}
	m.used[id] = exp
	return nil
}

func (m *memory) DeleteExpiredPoW(context.Context, time.Time, int) (int, error) { return 0, nil }

func (m *memory) Hit(_ context.Context, key string, start time.Time, _ time.Duration) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := key + "@" + start.String()
	m.counters[k]++
	return m.counters[k], nil
}

func (m *memory) Count(_ context.Context, key string, start time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[key+"@"+start.String()], nil
}

func (m *memory) DeleteExpiredCounters(context.Context, time.Time, int) (int, error) { return 0, nil }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService() (*pow.Service, *clock) {
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	m := newMemory()
	cfg := pow.DefaultConfig()
	cfg.BaseBits, cfg.MaxBits = 8, 12 // cheap in tests; the curve is checked in TestBitsFor
	return &pow.Service{Key: []byte("0123456789abcdef0123456789abcdef"), Used: m, Counters: m, Config: cfg, Now: c.now}, c
}

func TestBitsFor(t *testing.T) {
	c := pow.DefaultConfig()
	for n, want := range map[int]int{0: 0, 2: 0, 3: 14, 4: 15, 10: 21, 11: 22, 12: 22, 1000: 22} {
		if got := c.BitsFor(n); got != want {
			t.Errorf("BitsFor(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestVerify(t *testing.T) {
	s, _ := newService()
	ctx := context.Background()
	for range 3 {
		if err := s.Fail(ctx, "login", "phone:+79161234567"); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Required(ctx, "login", "phone:+79161234567"); got != 8 {
		t.Fatalf("Required after 3 failures = %d, want 8", got)
	}
	if got := s.Required(ctx, "login", "phone:+79160000000"); got != 0 {
		t.Fatalf("Required for another key = %d, want 0", got)
	}
	ch, err := s.Challenge(ctx, "login", "phone:+79161234567")
	if err != nil || ch.Bits != 8 || ch.Algorithm != "SHA-256" {
		t.Fatalf("Challenge = %+v, %v", ch, err)
	}
	sol := pow.Solve(ch)
	if got := pow.LeadingZeroBits(pow.Hash(sol.Challenge, sol.Nonce)); got < 8 {
		t.Fatalf("Solve gave %d zero bits", got)
	}
	for name, tc := range map[string]struct {
		purpose, key string
		sol          pow.Solution
		want         error
	}{
		"missing":       {"login", "phone:+79161234567", pow.Solution{}, pow.ErrMissing},
		"other key":     {"login", "phone:+79160000000", sol, pow.ErrInvalid},
		"other purpose": {"recovery", "phone:+79161234567", sol, pow.ErrInvalid},
		"wrong nonce":   {"login", "phone:+79161234567", pow.Solution{Challenge: sol.Challenge, Nonce: wrongNonce(ch)}, pow.ErrInvalid},
		"forged":        {"login", "phone:+79161234567", pow.Solution{Challenge: sol.Challenge[:len(sol.Challenge)-2] + "AA", Nonce: sol.Nonce}, pow.ErrInvalid},
	} {
		if err := s.Verify(ctx, tc.purpose, tc.key, tc.sol); !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", name, err, tc.want)
		}
	}
	if err := s.Verify(ctx, "login", "phone:+79161234567", sol); err != nil {
		t.Fatalf("Verify(solution) = %v", err)
	}
	if err := s.Verify(ctx, "login", "phone:+79161234567", sol); !errors.Is(err, pow.ErrReplayed) {
		t.Errorf("second Verify = %v, want ErrReplayed", err)
	}
}

// wrongNonce finds a nonce that does not solve c.
func wrongNonce(c pow.Challenge) string {
	for _, n := range []string{"x", "y", "z", "w"} {
		if pow.LeadingZeroBits(pow.Hash(c.Value, n)) < c.Bits {
			return n
		}
	}
	panic("no wrong nonce")
}

func TestExpiry(t *testing.T) {
	s, c := newService()
	ctx := context.Background()
	ch, _ := s.ChallengeBits("login", "k", 4)
	sol := pow.Solve(ch)
	c.t = c.t.Add(s.Config.TTL)
	if err := s.Verify(ctx, "login", "k", sol); !errors.Is(err, pow.ErrExpired) {
		t.Errorf("Verify after TTL = %v, want ErrExpired", err)
	}
}

func TestDifficultyGrows(t *testing.T) {
	s, c := newService()
	ctx := context.Background()
	ch, _ := s.ChallengeBits("login", "k", 8)
	sol := pow.Solve(ch)
	for range 5 { // 5 failures: 8 + 2 bits now required
		_ = s.Fail(ctx, "login", "k")
	}
	if err := s.Verify(ctx, "login", "k", sol); !errors.Is(err, pow.ErrTooEasy) {
		t.Errorf("Verify of an 8-bit solution when 10 are required = %v, want ErrTooEasy", err)
	}
	for range 100 {
		_ = s.Fail(ctx, "login", "k")
	}
	if got := s.Required(ctx, "login", "k"); got != s.Config.MaxBits {
		t.Errorf("Required after 105 failures = %d, want the cap %d", got, s.Config.MaxBits)
	}
	// Failures are forgotten after two windows: no permanent lock.
	c.t = c.t.Add(2 * s.Config.FailWindow)
	if got := s.Required(ctx, "login", "k"); got != 0 {
		t.Errorf("Required two windows later = %d, want 0", got)
	}
}
