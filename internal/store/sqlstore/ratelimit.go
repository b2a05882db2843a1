package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/ratelimit"
)

var _ ratelimit.Store = (*DB)(nil)

// Hit implements ratelimit.Store with one upsert: a counter from an older window restarts.
func (db *DB) Hit(ctx context.Context, key string, windowStart time.Time, window time.Duration) (int, error) {
	var n int
	err := db.write(ctx).QueryRowContext(ctx, `INSERT INTO rate_counters (key, window_start, window_end, count)
		VALUES ($1, $2, $3, 1)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN rate_counters.window_start = excluded.window_start THEN rate_counters.count + 1 ELSE 1 END,
			window_start = excluded.window_start, window_end = excluded.window_end
		RETURNING count`, key, micros(windowStart), micros(windowStart.Add(window))).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("hit counter: %w", mapErr(err))
	}
	return n, nil
}

// Count implements ratelimit.Store.
func (db *DB) Count(ctx context.Context, key string, windowStart time.Time) (int, error) {
	var n int
	err := db.read(ctx).QueryRowContext(ctx, `SELECT count FROM rate_counters WHERE key = $1 AND window_start = $2`,
		key, micros(windowStart)).Scan(&n)
	if err = mapErr(err); isNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read counter: %w", err)
	}
	return n, nil
}

// DeleteExpiredCounters implements ratelimit.Store.
func (db *DB) DeleteExpiredCounters(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM rate_counters WHERE key IN
		(SELECT key FROM rate_counters WHERE window_end < $1 LIMIT $2)`, micros(now), limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
