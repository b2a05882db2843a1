package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/store"
)

var _ flow.Store = (*DB)(nil)

// A flow's content holds contacts and codes' hashes, so it is sealed as a whole; its id,
// kind, state and times stay readable for operations and cleanup.

// CreateRegistration implements flow.Store.
func (db *DB) CreateRegistration(ctx context.Context, r *flow.Registration) error {
	data, err := db.sealFlow(r.ID, r)
	if err != nil {
		return err
	}
	r.Version = 1
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO flows (id, kind, state, data, version, created_at, expires_at)
		VALUES ($1, 'registration', $2, $3, 1, $4, $5)`,
		r.ID, r.State, data, micros(r.CreatedAt), micros(r.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert flow: %w", mapErr(err))
	}
	return nil
}

// GetRegistration implements flow.Store.
func (db *DB) GetRegistration(ctx context.Context, id string) (*flow.Registration, error) {
	var data []byte
	var version int
	err := db.read(ctx).QueryRowContext(ctx, `SELECT data, version FROM flows
		WHERE id = $1 AND kind = 'registration'`, id).Scan(&data, &version)
	if err != nil {
		return nil, mapErr(err)
	}
	plain, err := db.keys.Open(data, []byte("flow:"+id))
	if err != nil {
		return nil, fmt.Errorf("open flow: %w", err)
	}
	r := &flow.Registration{}
	if err := json.Unmarshal(plain, r); err != nil {
		return nil, fmt.Errorf("decode flow: %w", err)
	}
	r.Version = version
	return r, nil
}

// UpdateRegistration implements flow.Store.
func (db *DB) UpdateRegistration(ctx context.Context, r *flow.Registration) error {
	data, err := db.sealFlow(r.ID, r)
	if err != nil {
		return err
	}
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE flows SET state = $1, data = $2, version = version + 1
		WHERE id = $3 AND version = $4`, r.State, data, r.ID, r.Version)
	if err != nil {
		return fmt.Errorf("update flow: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update flow: %w", store.ErrConflict)
	}
	r.Version++
	return nil
}

func (db *DB) sealFlow(id string, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode flow: %w", err)
	}
	return db.keys.Seal(plain, []byte("flow:"+id))
}

// DeleteExpiredFlows implements flow.Store.
func (db *DB) DeleteExpiredFlows(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return db.deleteBatch(ctx, "flows", "expires_at", cutoff, limit)
}

// deleteBatch removes up to limit rows of table whose column is before cutoff, in one short
// statement, so cleanup never holds long locks.
func (db *DB) deleteBatch(ctx context.Context, table, column string, cutoff time.Time, limit int) (int, error) {
	q := fmt.Sprintf(`DELETE FROM %[1]s WHERE id IN (SELECT id FROM %[1]s WHERE %[2]s < $1 LIMIT $2)`, table, column)
	res, err := db.write(ctx).ExecContext(ctx, q, micros(cutoff), limit)
	if err != nil {
		return 0, fmt.Errorf("delete expired %s: %w", table, mapErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
