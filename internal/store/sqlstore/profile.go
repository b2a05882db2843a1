package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
)

var _ proofing.Store = (*DB)(nil)

// A profile is sealed as a whole; only the blind indexes of its verified SNILS and identity
// document are readable, for lookups and for the uniqueness of a verified SNILS.

// GetProfile implements proofing.Store.
func (db *DB) GetProfile(ctx context.Context, accountID string) (*proofing.Profile, error) {
	row := db.read(ctx).QueryRowContext(ctx, `SELECT data_enc, version, created_at, updated_at
		FROM profiles WHERE account_id = $1`, accountID)
	return db.scanProfile(accountID, row)
}

func (db *DB) scanProfile(accountID string, row *sql.Row) (*proofing.Profile, error) {
	var enc []byte
	var version int
	var created, updated int64
	if err := row.Scan(&enc, &version, &created, &updated); err != nil {
		return nil, mapErr(err)
	}
	plain, err := db.keys.Open(enc, profileAAD(accountID))
	if err != nil {
		return nil, fmt.Errorf("open profile: %w", err)
	}
	p := &proofing.Profile{}
	if err := json.Unmarshal(plain, p); err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	p.AccountID, p.Version, p.CreatedAt, p.UpdatedAt = accountID, version, fromMicros(created), fromMicros(updated)
	return p, nil
}

func profileAAD(accountID string) []byte { return []byte("profile:" + accountID) }

// UpdateProfile implements proofing.Store.
func (db *DB) UpdateProfile(ctx context.Context, accountID string, fn func(*proofing.Profile) error) (*proofing.Profile, error) {
	var out *proofing.Profile
	err := db.InTx(ctx, func(ctx context.Context) error {
		p, err := db.lockProfile(ctx, accountID)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		if err := db.writeProfile(ctx, p); err != nil {
			return err
		}
		out = p
		return nil
	})
	return out, err
}

// lockProfile reads the profile for update, creating an empty one first if there is none, so
// that two first updates of one account serialize instead of colliding.
func (db *DB) lockProfile(ctx context.Context, accountID string) (*proofing.Profile, error) {
	q := `SELECT data_enc, version, created_at, updated_at FROM profiles WHERE account_id = $1`
	if db.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	p, err := db.scanProfile(accountID, db.write(ctx).QueryRowContext(ctx, q, accountID))
	if !errors.Is(err, store.ErrNotFound) {
		return p, err
	}
	enc, err := db.sealProfile(&proofing.Profile{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	now := micros(time.Now())
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO profiles (account_id, data_enc, version, created_at, updated_at)
		VALUES ($1, $2, 0, $3, $3) ON CONFLICT (account_id) DO NOTHING`, accountID, enc, now)
	if err != nil {
		return nil, fmt.Errorf("create profile: %w", mapErr(err))
	}
	return db.scanProfile(accountID, db.write(ctx).QueryRowContext(ctx, q, accountID))
}

func (db *DB) sealProfile(p *proofing.Profile) ([]byte, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return db.keys.Seal(plain, profileAAD(p.AccountID))
}

func (db *DB) writeProfile(ctx context.Context, p *proofing.Profile) error {
	enc, err := db.sealProfile(p)
	if err != nil {
		return err
	}
	var snils, doc, inn any
	if v := p.SNILS.Verified; v != nil {
		snils = db.snilsIndex(*v)
	}
	if d := p.IDDoc.Verified; d != nil {
		doc = db.keys.BlindIndex("id_doc", d.Type+":"+d.Series+d.Number)
	}
	if v := p.INN.Verified; v != nil { // recovery finds accounts by it (FindByINN)
		inn = db.innIndex(*v)
	}
	updated := time.Now().UTC().Truncate(time.Microsecond)
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE profiles SET data_enc = $1, snils_index = $2, doc_index = $3,
		inn_index = $7, version = version + 1, updated_at = $4 WHERE account_id = $5 AND version = $6`,
		enc, snils, doc, micros(updated), p.AccountID, p.Version, inn)
	if err != nil {
		return fmt.Errorf("write profile: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("write profile: %w", store.ErrConflict)
	}
	p.Version, p.UpdatedAt = p.Version+1, updated
	return nil
}

func (db *DB) snilsIndex(digits string) string { return db.keys.BlindIndex("snils", digits) }

// VerifiedSNILSOwner implements proofing.Store.
func (db *DB) VerifiedSNILSOwner(ctx context.Context, snils string) (string, error) {
	var id string
	err := db.read(ctx).QueryRowContext(ctx, `SELECT account_id FROM profiles WHERE snils_index = $1`,
		db.snilsIndex(snils)).Scan(&id)
	return id, mapErr(err)
}

// FindBySNILS implements account.Store.
func (db *DB) FindBySNILS(ctx context.Context, snils string) (*account.Account, error) {
	var id string
	err := db.read(ctx).QueryRowContext(ctx, `SELECT p.account_id FROM profiles p
		JOIN accounts a ON a.id = p.account_id WHERE p.snils_index = $1 AND a.state = 'active'`,
		db.snilsIndex(snils)).Scan(&id)
	if err != nil {
		return nil, mapErr(err)
	}
	return db.GetAccount(ctx, id)
}

// SetNames implements account.Store.
func (db *DB) SetNames(ctx context.Context, accountID, lastName, firstName, middleName string, at time.Time) error {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE accounts SET last_name = $1, first_name = $2,
		middle_name = $3, updated_at = $4 WHERE id = $5`, lastName, firstName, middleName, micros(at), accountID)
	if err != nil {
		return fmt.Errorf("set names: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}
