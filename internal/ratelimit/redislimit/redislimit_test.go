package redislimit_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/ratelimit/redislimit"
)

// TestRedis runs when CIVIS_TEST_REDIS holds a Redis URL (redis://127.0.0.1:6379/0).
func TestRedis(t *testing.T) {
	url := os.Getenv("CIVIS_TEST_REDIS")
	if url == "" {
		t.Skip("CIVIS_TEST_REDIS is not set")
	}
	ctx := context.Background()
	base, err := redislimit.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	s := base.WithPrefix("civis-test:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":")
	start := time.Now().UTC().Truncate(time.Minute)
	for i := 1; i <= 3; i++ {
		if n, err := s.Hit(ctx, "k", start, time.Minute); err != nil || n != i {
			t.Fatalf("Hit #%d = %d, %v", i, n, err)
		}
	}
	if n, _ := s.Count(ctx, "k", start); n != 3 {
		t.Errorf("Count = %d, want 3", n)
	}
	if n, _ := s.Count(ctx, "k", start.Add(-time.Minute)); n != 0 {
		t.Errorf("Count of the window before = %d, want 0", n)
	}
	// The limiter works over it as over the database.
	l := &ratelimit.Limiter{Store: s, Now: time.Now}
	rule := ratelimit.Rule{Name: "test", Max: 2, Window: time.Hour}
	for i, want := range []bool{true, true, false} {
		d, err := l.Hit(ctx, rule, "x")
		if err != nil || d.Allowed != want {
			t.Errorf("hit %d: %+v, %v; want allowed %v", i+1, d, err, want)
		}
	}
}
