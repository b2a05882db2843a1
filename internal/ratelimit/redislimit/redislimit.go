// Package redislimit keeps rate-limit counters in Redis instead of the database, for
// deployments that run one: a counter is one INCR, and Redis expires it with its window.
package redislimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/civis-id/civis/internal/ratelimit"
)

var _ ratelimit.Store = (*Store)(nil)

// Store is a ratelimit.Store over Redis. Keys are "civis:rl:<key>:<window start>".
type Store struct {
	client redis.UniversalClient
	prefix string
}

// Open connects to the Redis at url (redis://[user:password@]host:port/db or rediss://)
// and checks that it answers.
func Open(ctx context.Context, url string) (*Store, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	c := redis.NewClient(opts)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	return &Store{client: c, prefix: "civis:rl:"}, nil
}

// WithPrefix returns a Store sharing the connection whose keys start with prefix (tests use
// one per run).
func (s *Store) WithPrefix(prefix string) *Store { return &Store{client: s.client, prefix: prefix} }

// Close closes the connection.
func (s *Store) Close() error { return s.client.Close() }

func (s *Store) key(key string, windowStart time.Time) string {
	return s.prefix + key + ":" + strconv.FormatInt(windowStart.UnixMicro(), 10)
}

// Hit implements ratelimit.Store: INCR, and an expiry at the window's end (plus the next
// window, which may read it as "the window before").
func (s *Store) Hit(ctx context.Context, key string, windowStart time.Time, window time.Duration) (int, error) {
	k := s.key(key, windowStart)
	pipe := s.client.TxPipeline()
	incr := pipe.Incr(ctx, k)
	pipe.PExpireAt(ctx, k, windowStart.Add(2*window))
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("redis hit: %w", err)
	}
	return int(incr.Val()), nil
}

// Count implements ratelimit.Store.
func (s *Store) Count(ctx context.Context, key string, windowStart time.Time) (int, error) {
	n, err := s.client.Get(ctx, s.key(key, windowStart)).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redis count: %w", err)
	}
	return n, nil
}

// DeleteExpiredCounters implements ratelimit.Store; Redis expires counters itself.
func (s *Store) DeleteExpiredCounters(context.Context, time.Time, int) (int, error) { return 0, nil }
