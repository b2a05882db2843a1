package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store"
)

var (
	_ staff.Store  = (*DB)(nil)
	_ ledger.Store = (*DB)(nil)
)

// PutStaff implements staff.Store.
func (db *DB) PutStaff(ctx context.Context, m *staff.Member) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO staff (account_id, center_id, role, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id) DO UPDATE SET center_id = excluded.center_id, role = excluded.role,
			created_by = excluded.created_by, created_at = excluded.created_at`,
		m.AccountID, m.CenterID, string(m.Role), m.CreatedBy, micros(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("put staff: %w", mapErr(err))
	}
	return nil
}

// GetStaff implements staff.Store.
func (db *DB) GetStaff(ctx context.Context, accountID string) (*staff.Member, error) {
	m := &staff.Member{AccountID: accountID}
	var role string
	var created int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT center_id, role, created_by, created_at FROM staff WHERE account_id = $1`,
		accountID).Scan(&m.CenterID, &role, &m.CreatedBy, &created)
	if err != nil {
		return nil, mapErr(err)
	}
	m.Role, m.CreatedAt = staff.Role(role), fromMicros(created)
	return m, nil
}

// ListStaff implements staff.Store.
func (db *DB) ListStaff(ctx context.Context, centerID string) ([]staff.Member, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT account_id, role, created_by, created_at FROM staff
		WHERE center_id = $1 ORDER BY created_at, account_id`, centerID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []staff.Member
	for rows.Next() {
		m := staff.Member{CenterID: centerID}
		var role string
		var created int64
		if err := rows.Scan(&m.AccountID, &role, &m.CreatedBy, &created); err != nil {
			return nil, err
		}
		m.Role, m.CreatedAt = staff.Role(role), fromMicros(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteStaff implements staff.Store.
func (db *DB) DeleteStaff(ctx context.Context, accountID string) error {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM staff WHERE account_id = $1`, accountID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// InsertRequest implements ledger.Store.
func (db *DB) InsertRequest(ctx context.Context, r *ledger.Request) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO requests (client_id, request_id, type, fingerprint,
		center_id, operator_id, subject, state, code, message, status, result, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.ClientID, r.ID, r.Type, r.Fingerprint, r.CenterID, r.OperatorID, r.Subject, string(r.State),
		r.Code, r.Message, r.Status, string(r.Result), micros(r.CreatedAt), micros(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert request: %w", mapErr(err))
	}
	return nil
}

// GetRequest implements ledger.Store.
func (db *DB) GetRequest(ctx context.Context, clientID, id string) (*ledger.Request, error) {
	r := &ledger.Request{ClientID: clientID, ID: id}
	var state, result string
	var created, updated int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT type, fingerprint, center_id, operator_id, subject, state,
		code, message, status, result, created_at, updated_at FROM requests WHERE client_id = $1 AND request_id = $2`,
		clientID, id).Scan(&r.Type, &r.Fingerprint, &r.CenterID, &r.OperatorID, &r.Subject, &state,
		&r.Code, &r.Message, &r.Status, &result, &created, &updated)
	if err != nil {
		return nil, mapErr(err)
	}
	r.State, r.CreatedAt, r.UpdatedAt = ledger.State(state), fromMicros(created), fromMicros(updated)
	if result != "" && result != "null" {
		r.Result = []byte(result)
	}
	return r, nil
}

// UpdateRequest implements ledger.Store.
func (db *DB) UpdateRequest(ctx context.Context, r *ledger.Request) error {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE requests SET subject = $1, state = $2, code = $3, message = $4,
		status = $5, result = $6, updated_at = $7 WHERE client_id = $8 AND request_id = $9`,
		r.Subject, string(r.State), r.Code, r.Message, r.Status, string(r.Result), micros(r.UpdatedAt), r.ClientID, r.ID)
	if err != nil {
		return fmt.Errorf("update request: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return store.ErrNotFound
	}
	return nil
}

// UseAssertion records a client assertion's jti until it expires; it returns
// store.ErrConflict when the client already used the jti.
func (db *DB) UseAssertion(ctx context.Context, clientID, jti string, expires time.Time) error {
	res, err := db.write(ctx).ExecContext(ctx, `INSERT INTO client_assertions (client_id, jti, expires_at)
		VALUES ($1, $2, $3) ON CONFLICT (client_id, jti) DO NOTHING`, clientID, jti, micros(expires))
	if err != nil {
		return fmt.Errorf("record assertion: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrConflict
	}
	return nil
}

// DeleteExpiredAssertions removes the jtis of assertions expired before now.
func (db *DB) DeleteExpiredAssertions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM client_assertions WHERE expires_at < $1`, micros(now))
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}
