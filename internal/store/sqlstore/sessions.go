package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/session"
)

var _ session.Store = (*DB)(nil)

// CreateSession implements session.Store.
func (db *DB) CreateSession(ctx context.Context, s *session.Session) error {
	ip, err := db.sealOptional(s.IP, "session-ip:"+s.ID)
	if err != nil {
		return err
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO sessions (id, account_id, token_hash, amr, auth_time,
		created_at, last_seen_at, expires_at, user_agent, ip_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.AccountID, s.TokenHash, strings.Join(s.AMR, " "), micros(s.AuthTime), micros(s.CreatedAt),
		micros(s.LastSeenAt), micros(s.ExpiresAt), s.UserAgent, ip)
	if err != nil {
		return fmt.Errorf("insert session: %w", mapErr(err))
	}
	return nil
}

// SessionByTokenHash implements session.Store.
func (db *DB) SessionByTokenHash(ctx context.Context, hash string) (*session.Session, error) {
	s := &session.Session{}
	var amr string
	var ip []byte
	var auth, created, seen, expires int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT id, account_id, token_hash, amr, auth_time, created_at,
		last_seen_at, expires_at, user_agent, ip_enc FROM sessions WHERE token_hash = $1`, hash).
		Scan(&s.ID, &s.AccountID, &s.TokenHash, &amr, &auth, &created, &seen, &expires, &s.UserAgent, &ip)
	if err != nil {
		return nil, mapErr(err)
	}
	s.AMR = strings.Fields(amr)
	s.AuthTime, s.CreatedAt = fromMicros(auth), fromMicros(created)
	s.LastSeenAt, s.ExpiresAt = fromMicros(seen), fromMicros(expires)
	if s.IP, err = db.openOptional(ip, "session-ip:"+s.ID); err != nil {
		return nil, err
	}
	return s, nil
}

// TouchSession implements session.Store.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	_, err := db.write(ctx).ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, micros(at), id)
	return mapErr(err)
}

// DeleteSession implements session.Store.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return mapErr(err)
}

// DeleteAccountSessions implements session.Store.
func (db *DB) DeleteAccountSessions(ctx context.Context, accountID string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID)
	return mapErr(err)
}

// TakeExpiredSessions implements session.Store with one DELETE ... RETURNING: of two
// concurrent calls, each returns only the rows it deleted itself. On PostgreSQL the rows
// another call holds are skipped rather than waited for.
func (db *DB) TakeExpiredSessions(ctx context.Context, now, idleBefore time.Time, limit int) ([]*session.Session, error) {
	lock := ""
	if db.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := db.write(ctx).QueryContext(ctx, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
		WHERE expires_at < $1 OR last_seen_at < $2 LIMIT $3`+lock+`)
		RETURNING id, account_id, amr, auth_time, created_at, last_seen_at, expires_at, user_agent`,
		micros(now), micros(idleBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("delete expired sessions: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*session.Session
	for rows.Next() {
		s, err := scanEndedSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// scanEndedSession reads a session deleted with RETURNING, without its token hash and IP.
func scanEndedSession(rows *sql.Rows) (*session.Session, error) {
	s := &session.Session{}
	var amr string
	var auth, created, seen, expires int64
	if err := rows.Scan(&s.ID, &s.AccountID, &amr, &auth, &created, &seen, &expires, &s.UserAgent); err != nil {
		return nil, fmt.Errorf("read expired session: %w", err)
	}
	s.AMR = strings.Fields(amr)
	s.AuthTime, s.CreatedAt = fromMicros(auth), fromMicros(created)
	s.LastSeenAt, s.ExpiresAt = fromMicros(seen), fromMicros(expires)
	return s, nil
}

func (db *DB) sealOptional(s, aad string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := db.keys.Seal([]byte(s), []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return b, nil
}

func (db *DB) openOptional(b []byte, aad string) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	p, err := db.keys.Open(b, []byte(aad))
	if err != nil {
		return "", fmt.Errorf("open: %w", err)
	}
	return string(p), nil
}
