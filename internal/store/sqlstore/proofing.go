package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
)

// Submissions and checks keep their states in plain columns; a check's request (the personal
// data sent to the registry) is sealed.

// CreateSubmission implements proofing.Store.
func (db *DB) CreateSubmission(ctx context.Context, s *proofing.Submission) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO proofing_submissions
			(id, account_id, state, reason, pending, created_at, deadline_at, finished_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			s.ID, s.AccountID, s.State, s.Reason, s.Pending, micros(s.CreatedAt), micros(s.DeadlineAt), micros(s.FinishedAt))
		if err != nil {
			return fmt.Errorf("insert submission: %w", mapErr(err))
		}
		for _, c := range s.Checks {
			if err := db.insertCheck(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) insertCheck(ctx context.Context, c *proofing.Check) error {
	plain, err := json.Marshal(c.Request)
	if err != nil {
		return fmt.Errorf("encode check request: %w", err)
	}
	enc, err := db.keys.Seal(plain, []byte("check:"+c.ID))
	if err != nil {
		return fmt.Errorf("seal check request: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO proofing_checks (id, submission_id, account_id, registry,
		state, reason, request_enc, attempt, calls, last_error, created_at, deadline_at, next_at, finished_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		c.ID, c.SubmissionID, c.AccountID, c.Registry, c.State, c.Reason, enc, c.Attempt, c.Calls, c.LastError,
		micros(c.CreatedAt), micros(c.DeadlineAt), micros(c.NextAt), micros(c.FinishedAt))
	if err != nil {
		return fmt.Errorf("insert check: %w", mapErr(err))
	}
	return nil
}

const submissionColumns = `id, account_id, state, reason, pending, created_at, deadline_at, finished_at`

// GetSubmission implements proofing.Store.
func (db *DB) GetSubmission(ctx context.Context, id string) (*proofing.Submission, error) {
	subs, err := db.submissions(ctx, `SELECT `+submissionColumns+` FROM proofing_submissions WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return nil, store.ErrNotFound
	}
	return subs[0], nil
}

// ListSubmissions implements proofing.Store.
func (db *DB) ListSubmissions(ctx context.Context, accountID string, limit int) ([]*proofing.Submission, error) {
	return db.submissions(ctx, `SELECT `+submissionColumns+` FROM proofing_submissions
		WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, accountID, limit)
}

func (db *DB) submissions(ctx context.Context, q string, args ...any) ([]*proofing.Submission, error) {
	rows, err := db.read(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*proofing.Submission
	byID := map[string]*proofing.Submission{}
	for rows.Next() {
		s := &proofing.Submission{}
		var created, deadline, finished int64
		if err := rows.Scan(&s.ID, &s.AccountID, &s.State, &s.Reason, &s.Pending, &created, &deadline, &finished); err != nil {
			return nil, err
		}
		s.CreatedAt, s.DeadlineAt, s.FinishedAt = fromMicros(created), fromMicros(deadline), fromMicros(finished)
		out = append(out, s)
		byID[s.ID] = s
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows.Close()
	return out, db.attachChecks(ctx, byID)
}

// attachChecks loads the checks of the given submissions in one query.
func (db *DB) attachChecks(ctx context.Context, subs map[string]*proofing.Submission) error {
	var marks []string
	var args []any
	for id := range subs {
		args = append(args, id)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	checks, err := db.checks(ctx, `SELECT `+checkColumns+` FROM proofing_checks
		WHERE submission_id IN (`+strings.Join(marks, ", ")+`) ORDER BY registry`, args...)
	if err != nil {
		return err
	}
	for _, c := range checks {
		s := subs[c.SubmissionID]
		s.Checks = append(s.Checks, c)
	}
	return nil
}

const checkColumns = `id, submission_id, account_id, registry, state, reason, request_enc, attempt, calls,
	last_error, created_at, deadline_at, next_at, finished_at`

// GetCheck implements proofing.Store.
func (db *DB) GetCheck(ctx context.Context, id string) (*proofing.Check, error) {
	checks, err := db.checks(ctx, `SELECT `+checkColumns+` FROM proofing_checks WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(checks) == 0 {
		return nil, store.ErrNotFound
	}
	return checks[0], nil
}

func (db *DB) checks(ctx context.Context, q string, args ...any) ([]*proofing.Check, error) {
	rows, err := db.read(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*proofing.Check
	for rows.Next() {
		c := &proofing.Check{}
		var enc []byte
		var created, deadline, next, finished int64
		if err := rows.Scan(&c.ID, &c.SubmissionID, &c.AccountID, &c.Registry, &c.State, &c.Reason, &enc,
			&c.Attempt, &c.Calls, &c.LastError, &created, &deadline, &next, &finished); err != nil {
			return nil, err
		}
		plain, err := db.keys.Open(enc, []byte("check:"+c.ID))
		if err != nil {
			return nil, fmt.Errorf("open check request: %w", err)
		}
		if err := json.Unmarshal(plain, &c.Request); err != nil {
			return nil, fmt.Errorf("decode check request: %w", err)
		}
		c.CreatedAt, c.DeadlineAt = fromMicros(created), fromMicros(deadline)
		c.NextAt, c.FinishedAt = fromMicros(next), fromMicros(finished)
		out = append(out, c)
	}
	return out, rows.Err()
}

// FinishCheck implements proofing.Store.
func (db *DB) FinishCheck(ctx context.Context, id string, attempt int, r proofing.Result) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE proofing_checks SET state = $1, reason = $2, finished_at = $3
		WHERE id = $4 AND state = 'pending' AND attempt = $5`, r.State, r.Reason, micros(r.At), id, attempt)
	if err != nil {
		return false, fmt.Errorf("finish check: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RescheduleCheck implements proofing.Store.
func (db *DB) RescheduleCheck(ctx context.Context, id string, attempt, calls int, next time.Time, lastErr string) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE proofing_checks SET attempt = attempt + 1, calls = $1,
		next_at = $2, last_error = $3 WHERE id = $4 AND state = 'pending' AND attempt = $5`,
		calls, micros(next), lastErr, id, attempt)
	if err != nil {
		return false, fmt.Errorf("reschedule check: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CheckDone implements proofing.Store. The UPDATE locks the submission's row, so the count it
// returns is exact even when two checks of one submission finish at once.
func (db *DB) CheckDone(ctx context.Context, submissionID string) (int, bool, error) {
	var remaining int
	err := db.write(ctx).QueryRowContext(ctx, `UPDATE proofing_submissions SET pending = pending - 1
		WHERE id = $1 AND state = 'checking' RETURNING pending`, submissionID).Scan(&remaining)
	if err != nil {
		err = mapErr(err)
		if errors.Is(err, store.ErrNotFound) {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("count check: %w", err)
	}
	return remaining, true, nil
}

// FinishSubmission implements proofing.Store.
func (db *DB) FinishSubmission(ctx context.Context, id string, state proofing.SubmissionState, reason string, at time.Time) (bool, error) {
	done := false
	err := db.InTx(ctx, func(ctx context.Context) error {
		res, err := db.write(ctx).ExecContext(ctx, `UPDATE proofing_submissions SET state = $1, reason = $2,
			finished_at = $3 WHERE id = $4 AND state = 'checking'`, state, reason, micros(at), id)
		if err != nil {
			return fmt.Errorf("finish submission: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		done = true
		_, err = db.write(ctx).ExecContext(ctx, `UPDATE proofing_checks SET state = 'cancelled',
			reason = 'another_check_failed', finished_at = $1 WHERE submission_id = $2 AND state = 'pending'`, micros(at), id)
		if err != nil {
			return fmt.Errorf("cancel checks: %w", mapErr(err))
		}
		return nil
	})
	return done, err
}
