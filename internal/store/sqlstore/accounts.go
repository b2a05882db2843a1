package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/store"
)

var _ account.Store = (*DB)(nil)

// CreateAccount implements account.Store.
func (db *DB) CreateAccount(ctx context.Context, a *account.Account, pw account.Password) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		q := db.write(ctx)
		_, err := q.ExecContext(ctx, `INSERT INTO accounts
			(id, level, state, last_name, first_name, middle_name, locale, confirmation_method, confirmed_at,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			a.ID, a.Level, a.State, a.LastName, a.FirstName, a.MiddleName, a.Locale, a.ConfirmationMethod,
			micros(a.ConfirmedAt), micros(a.CreatedAt), micros(a.UpdatedAt))
		if err != nil {
			return fmt.Errorf("insert account: %w", mapErr(err))
		}
		for _, c := range a.Contacts {
			if err := db.insertContact(ctx, a.ID, c); err != nil {
				return err
			}
		}
		return db.SetPassword(ctx, a.ID, pw)
	})
}

func (db *DB) insertContact(ctx context.Context, accountID string, c account.Contact) error {
	enc, err := db.keys.Seal([]byte(c.Value), []byte("contact:"+c.ID))
	if err != nil {
		return fmt.Errorf("seal contact: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO contacts
		(id, account_id, kind, value_enc, value_index, verified, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, accountID, c.Kind, enc, db.contactIndex(c.Kind, c.Value), c.Verified, micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert contact: %w", mapErr(err))
	}
	return nil
}

func (db *DB) contactIndex(kind account.ContactKind, value string) string {
	return db.keys.BlindIndex("contact:"+string(kind), value)
}

// GetAccount implements account.Store.
func (db *DB) GetAccount(ctx context.Context, id string) (*account.Account, error) {
	a, err := db.AccountCore(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Contacts, err = db.contacts(ctx, id); err != nil {
		return nil, err
	}
	return a, nil
}

// AccountCore implements account.Store: one statement, nothing to decrypt.
func (db *DB) AccountCore(ctx context.Context, id string) (*account.Account, error) {
	var ar accountRow
	err := db.read(ctx).QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.id = $1`, id).
		Scan(ar.dest()...)
	if err != nil {
		return nil, mapErr(err)
	}
	return ar.account(), nil
}

// accountColumns are an account's own columns (not its contacts), from the table aliased a;
// accountRow scans them.
const accountColumns = `a.id, a.level, a.state, a.last_name, a.first_name, a.middle_name, a.locale,
	a.confirmation_method, a.confirmed_at, a.created_at, a.updated_at`

// accountRow receives a row's accountColumns.
type accountRow struct {
	a                           account.Account
	confirmed, created, updated int64
}

// dest returns the scan destinations of accountColumns, in order.
func (r *accountRow) dest() []any {
	a := &r.a
	return []any{&a.ID, &a.Level, &a.State, &a.LastName, &a.FirstName, &a.MiddleName, &a.Locale,
		&a.ConfirmationMethod, &r.confirmed, &r.created, &r.updated}
}

// account returns the scanned account, without contacts.
func (r *accountRow) account() *account.Account {
	a := r.a
	a.ConfirmedAt, a.CreatedAt, a.UpdatedAt = fromMicros(r.confirmed), fromMicros(r.created), fromMicros(r.updated)
	return &a
}

func (db *DB) contacts(ctx context.Context, accountID string) ([]account.Contact, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, kind, value_enc, verified, created_at
		FROM contacts WHERE account_id = $1 ORDER BY CASE kind WHEN 'phone' THEN 0 ELSE 1 END`, accountID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []account.Contact
	for rows.Next() {
		var c account.Contact
		var enc []byte
		var created int64
		if err := rows.Scan(&c.ID, &c.Kind, &enc, &c.Verified, &created); err != nil {
			return nil, err
		}
		v, err := db.keys.Open(enc, []byte("contact:"+c.ID))
		if err != nil {
			return nil, fmt.Errorf("open contact: %w", err)
		}
		c.Value, c.CreatedAt = string(v), fromMicros(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindByContact implements account.Store.
func (db *DB) FindByContact(ctx context.Context, kind account.ContactKind, value string) (*account.Account, error) {
	var id string
	err := db.read(ctx).QueryRowContext(ctx, `SELECT c.account_id FROM contacts c
		JOIN accounts a ON a.id = c.account_id
		WHERE c.kind = $1 AND c.value_index = $2 AND c.verified AND a.state = 'active'`,
		kind, db.contactIndex(kind, value)).Scan(&id)
	if err != nil {
		return nil, mapErr(err)
	}
	return db.GetAccount(ctx, id)
}

// GetPassword implements account.Store.
func (db *DB) GetPassword(ctx context.Context, accountID string) (account.Password, error) {
	var pw account.Password
	var updated int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT hash, must_change, updated_at FROM passwords
		WHERE account_id = $1`, accountID).Scan(&pw.Hash, &pw.MustChange, &updated)
	if err != nil {
		return account.Password{}, mapErr(err)
	}
	pw.UpdatedAt = fromMicros(updated)
	return pw, nil
}

// SetPassword implements account.Store.
func (db *DB) SetPassword(ctx context.Context, accountID string, pw account.Password) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO passwords (account_id, hash, must_change, updated_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (account_id) DO UPDATE SET hash = excluded.hash, must_change = excluded.must_change,
			updated_at = excluded.updated_at`,
		accountID, pw.Hash, pw.MustChange, micros(pw.UpdatedAt))
	if err != nil {
		return fmt.Errorf("set password: %w", mapErr(err))
	}
	return nil
}

// RaiseLevel implements account.Store as one conditional UPDATE: a concurrent raise of the
// same account waits for the first one's row lock and then finds another level.
func (db *DB) RaiseLevel(ctx context.Context, accountID string, from, to account.Level, method string, at time.Time) error {
	if err := account.CheckRaise(from, to, method); err != nil {
		return err
	}
	confirmedAt := int64(0)
	if to == account.Confirmed {
		confirmedAt = micros(at)
	}
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE accounts SET level = $1, confirmation_method = $2,
		confirmed_at = $3, updated_at = $4 WHERE id = $5 AND level = $6`,
		to, method, confirmedAt, micros(at), accountID, from)
	if err != nil {
		return fmt.Errorf("raise level: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("raise level: %w", err)
	}
	if n == 1 {
		return nil
	}
	return db.raiseMissed(ctx, accountID)
}

// raiseMissed says why a raise changed no row: the account is gone or at another level.
func (db *DB) raiseMissed(ctx context.Context, accountID string) error {
	var level account.Level
	err := db.read(ctx).QueryRowContext(ctx, `SELECT level FROM accounts WHERE id = $1`, accountID).Scan(&level)
	if err != nil {
		return fmt.Errorf("raise level: %w", mapErr(err))
	}
	return account.ErrLevelChanged
}

// SetLevel writes an account's level, confirmation method and time whatever the level was.
// It is not part of account.Store, which raises levels only through RaiseLevel: it serves
// fixtures that need an account at a given level, a lower one included.
func (db *DB) SetLevel(ctx context.Context, accountID string, level account.Level, method string, at time.Time) error {
	confirmedAt := int64(0)
	if level == account.Confirmed {
		confirmedAt = micros(at)
	}
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE accounts SET level = $1, confirmation_method = $2,
		confirmed_at = $3, updated_at = $4 WHERE id = $5`, level, method, confirmedAt, micros(at), accountID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}
