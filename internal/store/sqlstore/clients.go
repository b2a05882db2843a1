package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

var _ rp.Store = (*DB)(nil)

// CreateClient implements rp.Store.
func (db *DB) CreateClient(ctx context.Context, c *rp.Client) error {
	cfg, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO clients (id, config, created_at, updated_at) VALUES ($1, $2, $3, $4)`,
		c.ID, string(cfg), micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert client: %w", mapErr(err))
	}
	return nil
}

// GetClient implements rp.Store.
func (db *DB) GetClient(ctx context.Context, id string) (*rp.Client, error) {
	var cfg string
	if err := db.read(ctx).QueryRowContext(ctx, `SELECT config FROM clients WHERE id = $1`, id).Scan(&cfg); err != nil {
		return nil, mapErr(err)
	}
	c := &rp.Client{}
	if err := json.Unmarshal([]byte(cfg), c); err != nil {
		return nil, fmt.Errorf("decode client %s: %w", id, err)
	}
	return c, nil
}

// ListClients implements rp.Store.
func (db *DB) ListClients(ctx context.Context) ([]*rp.Client, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT config FROM clients ORDER BY id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*rp.Client
	for rows.Next() {
		var cfg string
		if err := rows.Scan(&cfg); err != nil {
			return nil, err
		}
		c := &rp.Client{}
		if err := json.Unmarshal([]byte(cfg), c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateClient implements rp.Store.
func (db *DB) UpdateClient(ctx context.Context, c *rp.Client) error {
	cfg, err := json.Marshal(c)
	if err != nil {
		return err
	}
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE clients SET config = $1, updated_at = $2 WHERE id = $3`,
		string(cfg), micros(c.UpdatedAt), c.ID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteClient implements rp.Store.
func (db *DB) DeleteClient(ctx context.Context, id string) error {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM clients WHERE id = $1`, id)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

var _ rp.DataCleaner = (*DB)(nil)

// DeleteClientData implements rp.DataCleaner.
func (db *DB) DeleteClientData(ctx context.Context, clientID string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, table := range []string{"oidc_tokens", "oidc_refresh_tokens", "consents", "oidc_session_clients",
			"oidc_auth_requests", "oidc_pushed"} {
			if _, err := db.write(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE client_id = $1`, clientID); err != nil {
				return fmt.Errorf("delete %s of client: %w", table, mapErr(err))
			}
		}
		return nil
	})
}
