package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/jobs"
)

var _ jobs.Store = (*DB)(nil)

// A claimed job is marked running with run_at moved to the end of its lease: if the worker
// dies, the job is simply due again when the lease ends.

// InsertJob implements jobs.Store.
func (db *DB) InsertJob(ctx context.Context, j *jobs.Job) error {
	payload, err := db.keys.Seal(j.Payload, []byte("job:"+j.ID))
	if err != nil {
		return fmt.Errorf("seal job: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts,
		run_at, created_at) VALUES ($1, $2, $3, 'pending', 0, $4, $5, $6)`,
		j.ID, j.Kind, payload, j.MaxAttempts, micros(j.RunAt), micros(j.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert job: %w", mapErr(err))
	}
	return nil
}

// ClaimJobs implements jobs.Store.
func (db *DB) ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*jobs.Job, error) {
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE jobs SET state = 'running', run_at = $1, attempts = attempts + 1
		WHERE id IN (SELECT id FROM jobs WHERE state <> 'failed' AND run_at <= $2 ORDER BY run_at LIMIT $3` + lock + `)
		RETURNING id, kind, payload, attempts, max_attempts, last_error, created_at`
	rows, err := db.write(ctx).QueryContext(ctx, q, micros(now.Add(lease)), micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*jobs.Job
	for rows.Next() {
		j, err := db.scanJob(rows)
		if err != nil {
			return nil, err
		}
		j.State, j.RunAt = "running", now.Add(lease)
		out = append(out, j)
	}
	return out, rows.Err()
}

func (db *DB) scanJob(rows *sql.Rows) (*jobs.Job, error) {
	j := &jobs.Job{}
	var payload []byte
	var created int64
	if err := rows.Scan(&j.ID, &j.Kind, &payload, &j.Attempts, &j.MaxAttempts, &j.LastError, &created); err != nil {
		return nil, err
	}
	p, err := db.keys.Open(payload, []byte("job:"+j.ID))
	if err != nil {
		return nil, fmt.Errorf("open job %s: %w", j.ID, err)
	}
	j.Payload, j.CreatedAt = p, fromMicros(created)
	return j, nil
}

// CompleteJob implements jobs.Store.
func (db *DB) CompleteJob(ctx context.Context, id string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM jobs WHERE id = $1`, id)
	return mapErr(err)
}

// RetryJob implements jobs.Store.
func (db *DB) RetryJob(ctx context.Context, id string, runAt time.Time, lastErr string) error {
	_, err := db.write(ctx).ExecContext(ctx, `UPDATE jobs SET state = 'pending', run_at = $1, last_error = $2
		WHERE id = $3`, micros(runAt), lastErr, id)
	return mapErr(err)
}

// FailJob implements jobs.Store.
func (db *DB) FailJob(ctx context.Context, id string, lastErr string) error {
	_, err := db.write(ctx).ExecContext(ctx, `UPDATE jobs SET state = 'failed', last_error = $1 WHERE id = $2`, lastErr, id)
	return mapErr(err)
}

// JobStats implements jobs.Store.
func (db *DB) JobStats(ctx context.Context) ([]jobs.Stat, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []jobs.Stat
	for rows.Next() {
		var s jobs.Stat
		if err := rows.Scan(&s.Kind, &s.State, &s.Count); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ListJobs implements jobs.Store.
func (db *DB) ListJobs(ctx context.Context, state jobs.State, limit int) ([]*jobs.Job, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, kind, payload, attempts, max_attempts, last_error, created_at
		FROM jobs WHERE state = $1 ORDER BY created_at LIMIT $2`, state, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*jobs.Job
	for rows.Next() {
		j, err := db.scanJob(rows)
		if err != nil {
			return nil, err
		}
		j.State = state
		out = append(out, j)
	}
	return out, rows.Err()
}
