package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/recovery"
	"github.com/civis-id/civis/internal/settings"
	"github.com/civis-id/civis/internal/store"
)

var (
	_ recovery.Store = (*DB)(nil)
	_ settings.Store = (*DB)(nil)
)

// Recovery flows and contact changes live in the flows table like registrations, sealed as a
// whole (they hold contacts and codes' hashes), under their own kinds.

const (
	kindRecovery      = "recovery"
	kindContactChange = "contact_change"
)

func (db *DB) createFlow(ctx context.Context, kind, id, state string, v any, created, expires time.Time) error {
	data, err := db.sealFlow(id, v)
	if err != nil {
		return err
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO flows (id, kind, state, data, version, created_at, expires_at)
		VALUES ($1, $2, $3, $4, 1, $5, $6)`, id, kind, state, data, micros(created), micros(expires))
	if err != nil {
		return fmt.Errorf("insert %s flow: %w", kind, mapErr(err))
	}
	return nil
}

// getFlow decodes the flow id of kind into v and returns its version.
func (db *DB) getFlow(ctx context.Context, kind, id string, v any) (int, error) {
	var data []byte
	var version int
	err := db.read(ctx).QueryRowContext(ctx, `SELECT data, version FROM flows WHERE id = $1 AND kind = $2`, id, kind).
		Scan(&data, &version)
	if err != nil {
		return 0, mapErr(err)
	}
	plain, err := db.keys.Open(data, []byte("flow:"+id))
	if err != nil {
		return 0, fmt.Errorf("open flow: %w", err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return 0, fmt.Errorf("decode flow: %w", err)
	}
	return version, nil
}

func (db *DB) updateFlow(ctx context.Context, id, state string, v any, version int) error {
	data, err := db.sealFlow(id, v)
	if err != nil {
		return err
	}
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE flows SET state = $1, data = $2, version = version + 1
		WHERE id = $3 AND version = $4`, state, data, id, version)
	if err != nil {
		return fmt.Errorf("update flow: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update flow: %w", store.ErrConflict)
	}
	return nil
}

// CreateRecovery implements recovery.Store.
func (db *DB) CreateRecovery(ctx context.Context, r *recovery.Recovery) error {
	r.Version = 1
	return db.createFlow(ctx, kindRecovery, r.ID, string(r.State), r, r.CreatedAt, r.ExpiresAt)
}

// GetRecovery implements recovery.Store.
func (db *DB) GetRecovery(ctx context.Context, id string) (*recovery.Recovery, error) {
	r := &recovery.Recovery{}
	v, err := db.getFlow(ctx, kindRecovery, id, r)
	if err != nil {
		return nil, err
	}
	r.Version = v
	return r, nil
}

// UpdateRecovery implements recovery.Store.
func (db *DB) UpdateRecovery(ctx context.Context, r *recovery.Recovery) error {
	if err := db.updateFlow(ctx, r.ID, string(r.State), r, r.Version); err != nil {
		return err
	}
	r.Version++
	return nil
}

// CreateContactChange implements settings.Store.
func (db *DB) CreateContactChange(ctx context.Context, c *settings.ContactChange) error {
	c.Version = 1
	return db.createFlow(ctx, kindContactChange, c.ID, changeState(c), c, c.CreatedAt, c.ExpiresAt)
}

// GetContactChange implements settings.Store.
func (db *DB) GetContactChange(ctx context.Context, id string) (*settings.ContactChange, error) {
	c := &settings.ContactChange{}
	v, err := db.getFlow(ctx, kindContactChange, id, c)
	if err != nil {
		return nil, err
	}
	c.Version = v
	return c, nil
}

// UpdateContactChange implements settings.Store.
func (db *DB) UpdateContactChange(ctx context.Context, c *settings.ContactChange) error {
	if err := db.updateFlow(ctx, c.ID, changeState(c), c, c.Version); err != nil {
		return err
	}
	c.Version++
	return nil
}

func changeState(c *settings.ContactChange) string {
	if c.Done {
		return "done"
	}
	return "pending"
}

// FindByPassport implements recovery.Store through the blind index of the verified identity
// document that proofing keeps.
func (db *DB) FindByPassport(ctx context.Context, series, number string) (*account.Account, error) {
	return db.findOneByProfileIndex(ctx, "doc_index", db.keys.BlindIndex("id_doc", "RF_PASSPORT:"+series+number))
}

// FindByINN implements recovery.Store through the blind index of the verified INN.
func (db *DB) FindByINN(ctx context.Context, inn string) (*account.Account, error) {
	return db.findOneByProfileIndex(ctx, "inn_index", db.innIndex(inn))
}

func (db *DB) innIndex(inn string) string { return db.keys.BlindIndex("inn", inn) }

// findOneByProfileIndex returns the one active account whose profile has index in column; two
// or more (a document verified twice) count as none: recovery must not guess.
func (db *DB) findOneByProfileIndex(ctx context.Context, column, index string) (*account.Account, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT p.account_id FROM profiles p
		JOIN accounts a ON a.id = p.account_id WHERE p.`+column+` = $1 AND a.state = 'active' LIMIT 2`, index)
	if err != nil {
		return nil, mapErr(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) != 1 {
		return nil, store.ErrNotFound
	}
	return db.GetAccount(ctx, ids[0])
}

// ReplaceContact implements settings.Store.
func (db *DB) ReplaceContact(ctx context.Context, accountID string, c account.Contact) error {
	enc, err := db.keys.Seal([]byte(c.Value), []byte("contact:"+c.ID))
	if err != nil {
		return fmt.Errorf("seal contact: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO contacts
		(id, account_id, kind, value_enc, value_index, verified, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account_id, kind) DO UPDATE SET value_enc = excluded.value_enc,
			value_index = excluded.value_index, verified = excluded.verified, created_at = excluded.created_at`,
		c.ID, accountID, c.Kind, enc, db.contactIndex(c.Kind, c.Value), c.Verified, micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("replace contact: %w", mapErr(err))
	}
	return nil
}
