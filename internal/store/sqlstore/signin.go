package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

var (
	_ flow.LoginStore       = (*DB)(nil)
	_ pow.Store             = (*DB)(nil)
	_ session.AuthTimeStore = (*DB)(nil)
)

// Sign-ins waiting for a second factor (kind "login") and passkey prompts (kind "webauthn")
// live in the flows table, sealed like registrations, and are cleaned up with them.

// CreateLogin implements flow.LoginStore.
func (db *DB) CreateLogin(ctx context.Context, l *flow.LoginFlow) error {
	data, err := db.sealFlow(l.ID, l)
	if err != nil {
		return err
	}
	l.Version = 1
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO flows (id, kind, state, data, version, created_at, expires_at)
		VALUES ($1, 'login', 'awaiting_second_factor', $2, 1, $3, $4)`, l.ID, data, micros(l.CreatedAt), micros(l.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert login: %w", mapErr(err))
	}
	return nil
}

// GetLogin implements flow.LoginStore.
func (db *DB) GetLogin(ctx context.Context, id string) (*flow.LoginFlow, error) {
	l := &flow.LoginFlow{}
	v, err := db.openFlowKind(ctx, id, "login", l)
	if err != nil {
		return nil, err
	}
	l.Version = v
	return l, nil
}

// UpdateLogin implements flow.LoginStore.
func (db *DB) UpdateLogin(ctx context.Context, l *flow.LoginFlow) error {
	data, err := db.sealFlow(l.ID, l)
	if err != nil {
		return err
	}
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE flows SET data = $1, version = version + 1
		WHERE id = $2 AND kind = 'login' AND version = $3`, data, l.ID, l.Version)
	if err != nil {
		return fmt.Errorf("update login: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update login: %w", store.ErrConflict)
	}
	l.Version++
	return nil
}

// DeleteLogin implements flow.LoginStore.
func (db *DB) DeleteLogin(ctx context.Context, id string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM flows WHERE id = $1 AND kind = 'login'`, id)
	return mapErr(err)
}

// SaveCeremony implements mfa.Store.
func (db *DB) SaveCeremony(ctx context.Context, c *mfa.Ceremony) error {
	data, err := db.sealFlow(c.ID, c)
	if err != nil {
		return err
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO flows (id, kind, state, data, version, created_at, expires_at)
		VALUES ($1, 'webauthn', $2, $3, 1, $4, $5)`, c.ID, c.Kind, data, micros(time.Now()), micros(c.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert passkey prompt: %w", mapErr(err))
	}
	return nil
}

// TakeCeremony implements mfa.Store with one DELETE ... RETURNING, so a prompt is answered once.
func (db *DB) TakeCeremony(ctx context.Context, id string) (*mfa.Ceremony, error) {
	var data []byte
	err := db.write(ctx).QueryRowContext(ctx, `DELETE FROM flows WHERE id = $1 AND kind = 'webauthn' RETURNING data`, id).
		Scan(&data)
	if err != nil {
		return nil, mapErr(err)
	}
	c := &mfa.Ceremony{}
	if err := db.openFlowData(id, data, c); err != nil {
		return nil, err
	}
	return c, nil
}

// openFlowKind reads and unseals the flow id of kind into v and returns its version.
func (db *DB) openFlowKind(ctx context.Context, id, kind string, v any) (int, error) {
	var data []byte
	var version int
	err := db.read(ctx).QueryRowContext(ctx, `SELECT data, version FROM flows WHERE id = $1 AND kind = $2`, id, kind).
		Scan(&data, &version)
	if err != nil {
		return 0, mapErr(err)
	}
	return version, db.openFlowData(id, data, v)
}

func (db *DB) openFlowData(id string, data []byte, v any) error {
	plain, err := db.keys.Open(data, []byte("flow:"+id))
	if err != nil {
		return fmt.Errorf("open flow: %w", err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("decode flow: %w", err)
	}
	return nil
}

// UsePoW implements pow.Store. ON CONFLICT DO NOTHING keeps a surrounding PostgreSQL
// transaction usable when the challenge was used before.
func (db *DB) UsePoW(ctx context.Context, id string, expiresAt time.Time) error {
	res, err := db.write(ctx).ExecContext(ctx, `INSERT INTO pow_used (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO NOTHING`, id, micros(expiresAt))
	if err != nil {
		return fmt.Errorf("record pow: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return store.ErrConflict
	}
	return nil
}

// DeleteExpiredPoW implements pow.Store.
func (db *DB) DeleteExpiredPoW(ctx context.Context, now time.Time, limit int) (int, error) {
	return db.deleteBatch(ctx, "pow_used", "expires_at", now, limit)
}

// SetSessionAuthTime implements session.AuthTimeStore.
func (db *DB) SetSessionAuthTime(ctx context.Context, id string, at time.Time) error {
	_, err := db.write(ctx).ExecContext(ctx, `UPDATE sessions SET auth_time = $1 WHERE id = $2`, micros(at), id)
	return mapErr(err)
}

// DeleteExpiredSignIn removes, in batches of up to limit, used proof-of-work challenges and
// remembered devices that expired before now, and returns how many it removed.
func (db *DB) DeleteExpiredSignIn(ctx context.Context, now time.Time, limit int) (int, error) {
	a, err := db.DeleteExpiredPoW(ctx, now, limit)
	if err != nil {
		return a, err
	}
	b, err := db.DeleteExpiredDevices(ctx, now, limit)
	return max(a, b), err
}
