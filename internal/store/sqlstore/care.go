package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/deletion"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/settings"
)

var (
	_ deletion.Store    = (*DB)(nil)
	_ notice.Store      = (*DB)(nil)
	_ audit.Searcher    = (*DB)(nil)
	_ session.ListStore = (*DB)(nil)
)

// SecretQuestion implements settings.Store.
func (db *DB) SecretQuestion(ctx context.Context, accountID string) (*settings.SecretQuestion, error) {
	var enc []byte
	q := &settings.SecretQuestion{}
	err := db.read(ctx).QueryRowContext(ctx, `SELECT question_enc, answer_hash FROM secret_questions
		WHERE account_id = $1`, accountID).Scan(&enc, &q.AnswerHash)
	if err != nil {
		return nil, mapErr(err)
	}
	plain, err := db.keys.Open(enc, []byte("secret-question:"+accountID))
	if err != nil {
		return nil, fmt.Errorf("open secret question: %w", err)
	}
	q.Question = string(plain)
	return q, nil
}

// SetSecretQuestion implements settings.Store.
func (db *DB) SetSecretQuestion(ctx context.Context, accountID string, q settings.SecretQuestion) error {
	enc, err := db.keys.Seal([]byte(q.Question), []byte("secret-question:"+accountID))
	if err != nil {
		return fmt.Errorf("seal secret question: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO secret_questions (account_id, question_enc, answer_hash, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO UPDATE SET question_enc = excluded.question_enc,
		answer_hash = excluded.answer_hash, updated_at = excluded.updated_at`,
		accountID, enc, q.AnswerHash, micros(time.Now()))
	return mapErr(err)
}

// DeleteSecretQuestion implements settings.Store.
func (db *DB) DeleteSecretQuestion(ctx context.Context, accountID string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM secret_questions WHERE account_id = $1`, accountID)
	return mapErr(err)
}

// NotificationPrefs implements notice.Store.
func (db *DB) NotificationPrefs(ctx context.Context, accountID string) (notice.Prefs, error) {
	var raw string
	err := db.read(ctx).QueryRowContext(ctx, `SELECT prefs FROM notification_prefs WHERE account_id = $1`, accountID).Scan(&raw)
	if err != nil {
		return nil, mapErr(err)
	}
	var p notice.Prefs
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, fmt.Errorf("decode notification settings: %w", err)
	}
	return p, nil
}

// SetNotificationPrefs implements notice.Store.
func (db *DB) SetNotificationPrefs(ctx context.Context, accountID string, p notice.Prefs, at time.Time) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO notification_prefs (account_id, prefs, updated_at)
		VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at`,
		accountID, string(raw), micros(at))
	return mapErr(err)
}

// AccountSessions implements session.ListStore.
func (db *DB) AccountSessions(ctx context.Context, accountID string) ([]*session.Session, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, account_id, token_hash, amr, auth_time, created_at,
		last_seen_at, expires_at, user_agent, ip_enc FROM sessions WHERE account_id = $1 ORDER BY created_at`, accountID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*session.Session
	for rows.Next() {
		s := &session.Session{}
		var amr string
		var ip []byte
		var auth, created, seen, expires int64
		if err := rows.Scan(&s.ID, &s.AccountID, &s.TokenHash, &amr, &auth, &created, &seen, &expires,
			&s.UserAgent, &ip); err != nil {
			return nil, err
		}
		s.AMR = strings.Fields(amr)
		s.AuthTime, s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(auth), fromMicros(created), fromMicros(seen), fromMicros(expires)
		if s.IP, err = db.openOptional(ip, "session-ip:"+s.ID); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RevokeAccountGrants revokes every refresh token of the account and deletes its access
// tokens (recovery and deletion; recovery.Grants and deletion.Grants).
func (db *DB) RevokeAccountGrants(ctx context.Context, accountID string) error {
	return db.revokeWhere(ctx, `account_id = $1`, accountID)
}

// DeleteAccountConsents implements deletion.Store.
func (db *DB) DeleteAccountConsents(ctx context.Context, accountID string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM consents WHERE account_id = $1`, accountID)
	return mapErr(err)
}

// SearchEvents implements audit.Searcher.
func (db *DB) SearchEvents(ctx context.Context, accountID string, from, to time.Time, limit int) ([]*audit.Event, error) {
	end := int64(math.MaxInt64)
	if !to.IsZero() {
		end = micros(to)
	}
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, account_id, seq, action, actor, details, ip_enc,
		created_at, prev_hash, hash FROM audit_events WHERE account_id = $1 AND created_at >= $2 AND created_at < $3
		ORDER BY seq DESC LIMIT $4`, accountID, micros(from), end, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*audit.Event
	for rows.Next() {
		e := &audit.Event{}
		var details string
		var ip []byte
		var created int64
		if err := rows.Scan(&e.ID, &e.AccountID, &e.Seq, &e.Action, &e.Actor, &details, &ip, &created,
			&e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, fmt.Errorf("decode audit details: %w", err)
		}
		if e.IP, err = db.openOptional(ip, "audit-ip:"+e.ID); err != nil {
			return nil, err
		}
		e.CreatedAt = fromMicros(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkDeleted implements deletion.Store.
func (db *DB) MarkDeleted(ctx context.Context, accountID string, at time.Time) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE accounts SET state = 'deleted', deleted_at = $1, updated_at = $1
		WHERE id = $2 AND state = 'active'`, micros(at), accountID)
	if err != nil {
		return false, fmt.Errorf("mark deleted: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RestoreAccount implements deletion.Store.
func (db *DB) RestoreAccount(ctx context.Context, accountID string, at time.Time) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE accounts SET state = 'active', deleted_at = 0, updated_at = $1
		WHERE id = $2 AND state = 'deleted' AND erased_at = 0`, micros(at), accountID)
	if err != nil {
		return false, fmt.Errorf("restore account: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DeletionTimes implements deletion.Store.
func (db *DB) DeletionTimes(ctx context.Context, accountID string) (deletedAt, erasedAt time.Time, err error) {
	var d, e int64
	err = db.read(ctx).QueryRowContext(ctx, `SELECT deleted_at, erased_at FROM accounts WHERE id = $1`, accountID).Scan(&d, &e)
	if err != nil {
		return time.Time{}, time.Time{}, mapErr(err)
	}
	return fromMicros(d), fromMicros(e), nil
}

// erasedTables hold an account's personal data or what hangs on it, keyed by account_id.
// Second factors are erased by their owner (mfa.Service.Reset); the audit chain stays.
var erasedTables = []string{"contacts", "passwords", "profiles", "proofing_checks", "proofing_submissions",
	"secret_questions", "notification_prefs", "sessions", "oidc_tokens", "oidc_refresh_tokens",
	"oidc_session_clients", "consents", "confirmations", "activations", "letters"}

// EraseAccount implements deletion.Store.
func (db *DB) EraseAccount(ctx context.Context, accountID string, deletedAt, at time.Time) (bool, error) {
	erased := false
	err := db.InTx(ctx, func(ctx context.Context) error {
		q := db.write(ctx)
		res, err := q.ExecContext(ctx, `UPDATE accounts SET last_name = '', first_name = '', middle_name = '',
			erased_at = $1, updated_at = $1 WHERE id = $2 AND state = 'deleted' AND deleted_at = $3 AND erased_at = 0`,
			micros(at), accountID, micros(deletedAt))
		if err != nil {
			return fmt.Errorf("erase account: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		for _, t := range erasedTables {
			if _, err := q.ExecContext(ctx, `DELETE FROM `+t+` WHERE account_id = $1`, accountID); err != nil {
				return fmt.Errorf("erase %s: %w", t, mapErr(err))
			}
		}
		erased = true
		return nil
	})
	return erased, err
}

// OverdueDeletions implements deletion.Store.
func (db *DB) OverdueDeletions(ctx context.Context, cutoff time.Time, limit int) ([]deletion.Deleted, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, deleted_at FROM accounts
		WHERE state = 'deleted' AND erased_at = 0 AND deleted_at < $1 ORDER BY deleted_at LIMIT $2`, micros(cutoff), limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []deletion.Deleted
	for rows.Next() {
		var d deletion.Deleted
		var at int64
		if err := rows.Scan(&d.AccountID, &at); err != nil {
			return nil, err
		}
		d.DeletedAt = fromMicros(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
