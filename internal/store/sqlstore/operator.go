package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/operator"
)

var _ operator.Store = (*DB)(nil)

func (db *DB) passportIndex(seriesNumber string) string {
	return db.keys.BlindIndex("id_doc", "RF_PASSPORT:"+seriesNumber) // as writeProfile indexes it
}

// PutConfirmation implements operator.Store.
func (db *DB) PutConfirmation(ctx context.Context, c *operator.Confirmation) error {
	var snils, doc any
	if c.SNILS != "" {
		snils = db.snilsIndex(c.SNILS)
	}
	if c.Passport != "" {
		doc = db.passportIndex(c.Passport)
	}
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO confirmations (account_id, method, center_id,
		operator_id, bank_id, bank_name, request_id, snils_index, doc_index, confirmed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (account_id) DO UPDATE SET method = excluded.method, center_id = excluded.center_id,
			operator_id = excluded.operator_id, bank_id = excluded.bank_id, bank_name = excluded.bank_name,
			request_id = excluded.request_id, snils_index = COALESCE(excluded.snils_index, confirmations.snils_index),
			doc_index = COALESCE(excluded.doc_index, confirmations.doc_index), confirmed_at = excluded.confirmed_at`,
		c.AccountID, c.Method, c.CenterID, c.OperatorID, c.BankID, c.BankName, c.RequestID, snils, doc,
		micros(c.ConfirmedAt))
	if err != nil {
		return fmt.Errorf("put confirmation: %w", mapErr(err))
	}
	return nil
}

// GetConfirmation implements operator.Store.
func (db *DB) GetConfirmation(ctx context.Context, accountID string) (*operator.Confirmation, error) {
	c := &operator.Confirmation{AccountID: accountID}
	var at int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT method, center_id, operator_id, bank_id, bank_name,
		request_id, confirmed_at FROM confirmations WHERE account_id = $1`, accountID).
		Scan(&c.Method, &c.CenterID, &c.OperatorID, &c.BankID, &c.BankName, &c.RequestID, &at)
	if err != nil {
		return nil, mapErr(err)
	}
	c.ConfirmedAt = fromMicros(at)
	return c, nil
}

// FindAccounts implements operator.Store.
func (db *DB) FindAccounts(ctx context.Context, kind, value string) ([]string, error) {
	var q string
	var args []any
	switch kind {
	case operator.BySNILS:
		q, args = `SELECT account_id FROM profiles WHERE snils_index = $1
			UNION SELECT account_id FROM confirmations WHERE snils_index = $1`, []any{db.snilsIndex(value)}
	case operator.ByPassport:
		q, args = `SELECT account_id FROM profiles WHERE doc_index = $1
			UNION SELECT account_id FROM confirmations WHERE doc_index = $1`, []any{db.passportIndex(value)}
	case operator.ByPhone, operator.ByEmail:
		q, args = `SELECT account_id FROM contacts WHERE kind = $1 AND value_index = $2 AND verified`,
			[]any{kind, db.contactIndex(account.ContactKind(kind), value)}
	default:
		return nil, fmt.Errorf("find accounts: unknown kind %q", kind)
	}
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT a.id FROM accounts a WHERE a.id IN (`+q+`)
		AND a.erased_at = 0 ORDER BY CASE a.state WHEN 'active' THEN 0 ELSE 1 END, a.created_at`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return scanIDs(rows)
}

func scanIDs(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// OpenRequests implements operator.Store.
func (db *DB) OpenRequests(ctx context.Context, accountID string) (int, error) {
	var n int
	err := db.read(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM requests WHERE subject = $1
		AND state IN ('accepted', 'processing')`, accountID).Scan(&n)
	return n, mapErr(err)
}

// CreateActivation implements operator.Store.
func (db *DB) CreateActivation(ctx context.Context, a *operator.Activation) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO activations (token_hash, account_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, a.TokenHash, a.AccountID, micros(a.CreatedAt), micros(a.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create activation: %w", mapErr(err))
	}
	return nil
}

// UseActivation implements operator.Store.
func (db *DB) UseActivation(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	var id string
	err := db.write(ctx).QueryRowContext(ctx, `DELETE FROM activations WHERE token_hash = $1 AND expires_at > $2
		RETURNING account_id`, tokenHash, micros(now)).Scan(&id)
	return id, mapErr(err)
}

// ActivationValid implements operator.Store.
func (db *DB) ActivationValid(ctx context.Context, tokenHash string, now time.Time) (bool, error) {
	var one int
	err := db.read(ctx).QueryRowContext(ctx, `SELECT 1 FROM activations WHERE token_hash = $1 AND expires_at > $2`,
		tokenHash, micros(now)).Scan(&one)
	if isNotFound(mapErr(err)) {
		return false, nil
	}
	return err == nil, mapErr(err)
}

// DeleteExpiredActivations implements operator.Store.
func (db *DB) DeleteExpiredActivations(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM activations WHERE token_hash IN
		(SELECT token_hash FROM activations WHERE expires_at <= $1 LIMIT $2)`, micros(now), limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
