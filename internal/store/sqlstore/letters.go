package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/store"
)

var _ letters.Store = (*DB)(nil)

// A letter's address and recipient are sealed together; states, times, the code's hash and
// the tracking number are plain columns.

// postal is the sealed part of a letter.
type postal struct {
	Address   letters.Address `json:"address"`
	Recipient string          `json:"recipient"`
}

func letterAAD(id string) []byte { return []byte("letter:" + id) }

const letterColumns = `id, account_id, state, postal_enc, code_hash, tracking_number, batch_id, ordered_at,
	batched_at, sent_at, expires_at, delivered_at, used_at, reminded_at, ended_at, version`

// CreateLetter implements letters.Store.
func (db *DB) CreateLetter(ctx context.Context, l *letters.Letter) error {
	enc, err := db.sealPostal(l)
	if err != nil {
		return err
	}
	l.Version = 1
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO letters (`+letterColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		l.ID, l.AccountID, l.State, enc, l.CodeHash, l.TrackingNumber, l.BatchID, micros(l.OrderedAt),
		micros(l.BatchedAt), micros(l.SentAt), micros(l.ExpiresAt), micros(l.DeliveredAt), micros(l.UsedAt),
		micros(l.RemindedAt), micros(l.EndedAt), l.Version)
	if err != nil {
		return fmt.Errorf("insert letter: %w", mapErr(err))
	}
	return nil
}

func (db *DB) sealPostal(l *letters.Letter) ([]byte, error) {
	plain, err := json.Marshal(postal{Address: l.Address, Recipient: l.Recipient})
	if err != nil {
		return nil, fmt.Errorf("encode letter address: %w", err)
	}
	enc, err := db.keys.Seal(plain, letterAAD(l.ID))
	if err != nil {
		return nil, fmt.Errorf("seal letter address: %w", err)
	}
	return enc, nil
}

// GetLetter implements letters.Store.
func (db *DB) GetLetter(ctx context.Context, id string) (*letters.Letter, error) {
	out, err := db.letters(ctx, `SELECT `+letterColumns+` FROM letters WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, store.ErrNotFound
	}
	return out[0], nil
}

// AccountLetters implements letters.Store.
func (db *DB) AccountLetters(ctx context.Context, accountID string, limit int) ([]*letters.Letter, error) {
	return db.letters(ctx, `SELECT `+letterColumns+` FROM letters WHERE account_id = $1
		ORDER BY ordered_at DESC, id DESC LIMIT $2`, accountID, limit)
}

// OrderedLetters implements letters.Store.
func (db *DB) OrderedLetters(ctx context.Context, limit int) ([]*letters.Letter, error) {
	return db.letters(ctx, `SELECT `+letterColumns+` FROM letters WHERE state = 'ordered'
		ORDER BY ordered_at, id LIMIT $1`, limit)
}

// standingsPerQuery bounds the ids of one AccountStandings query (both engines take far
// more parameters; this keeps one statement small).
const standingsPerQuery = 512

// AccountStandings implements letters.Store with one query per standingsPerQuery ids.
func (db *DB) AccountStandings(ctx context.Context, accountIDs []string) (map[string]letters.Standing, error) {
	out := make(map[string]letters.Standing, len(accountIDs))
	for len(accountIDs) > 0 {
		n := min(len(accountIDs), standingsPerQuery)
		if err := db.standings(ctx, accountIDs[:n], out); err != nil {
			return nil, fmt.Errorf("load account standings: %w", err)
		}
		accountIDs = accountIDs[n:]
	}
	return out, nil
}

// standings reads the state and level of ids into out. The list of placeholders is padded to
// a power of two by repeating the last id, so that the statement cache holds a handful of
// texts rather than one per length.
func (db *DB) standings(ctx context.Context, ids []string, out map[string]letters.Standing) error {
	size := 8
	for size < len(ids) {
		size *= 2
	}
	args, marks := make([]any, size), make([]string, size)
	for i := range size {
		args[i], marks[i] = ids[min(i, len(ids)-1)], "$"+strconv.Itoa(i+1)
	}
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, state, level FROM accounts
		WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var st letters.Standing
		if err := rows.Scan(&id, &st.State, &st.Level); err != nil {
			return err
		}
		out[id] = st
	}
	return rows.Err()
}

func (db *DB) letters(ctx context.Context, q string, args ...any) ([]*letters.Letter, error) {
	rows, err := db.read(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*letters.Letter
	for rows.Next() {
		l := &letters.Letter{}
		var enc []byte
		var ordered, batched, sent, expires, delivered, used, reminded, ended int64
		if err := rows.Scan(&l.ID, &l.AccountID, &l.State, &enc, &l.CodeHash, &l.TrackingNumber, &l.BatchID,
			&ordered, &batched, &sent, &expires, &delivered, &used, &reminded, &ended, &l.Version); err != nil {
			return nil, err
		}
		plain, err := db.keys.Open(enc, letterAAD(l.ID))
		if err != nil {
			return nil, fmt.Errorf("open letter address: %w", err)
		}
		var p postal
		if err := json.Unmarshal(plain, &p); err != nil {
			return nil, fmt.Errorf("decode letter address: %w", err)
		}
		l.Address, l.Recipient = p.Address, p.Recipient
		l.OrderedAt, l.BatchedAt, l.SentAt, l.ExpiresAt = fromMicros(ordered), fromMicros(batched), fromMicros(sent), fromMicros(expires)
		l.DeliveredAt, l.UsedAt, l.RemindedAt, l.EndedAt = fromMicros(delivered), fromMicros(used), fromMicros(reminded), fromMicros(ended)
		out = append(out, l)
	}
	return out, rows.Err()
}

// UpdateLetter implements letters.Store. The address is sealed once, at creation, and never
// changes.
func (db *DB) UpdateLetter(ctx context.Context, l *letters.Letter) error {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE letters SET state = $1, code_hash = $2, tracking_number = $3,
		batch_id = $4, batched_at = $5, sent_at = $6, expires_at = $7, delivered_at = $8, used_at = $9,
		reminded_at = $10, ended_at = $11, version = version + 1 WHERE id = $12 AND version = $13`,
		l.State, l.CodeHash, l.TrackingNumber, l.BatchID, micros(l.BatchedAt), micros(l.SentAt), micros(l.ExpiresAt),
		micros(l.DeliveredAt), micros(l.UsedAt), micros(l.RemindedAt), micros(l.EndedAt), l.ID, l.Version)
	if err != nil {
		return fmt.Errorf("update letter: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update letter: %w", store.ErrConflict)
	}
	l.Version++
	return nil
}

// LockAccountLetters implements letters.Store by writing the account's row without changing
// it: PostgreSQL holds the row lock until the transaction ends, and SQLite has one writer.
func (db *DB) LockAccountLetters(ctx context.Context, accountID string) error {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE accounts SET updated_at = updated_at WHERE id = $1`, accountID)
	if err != nil {
		return fmt.Errorf("lock account letters: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return store.ErrNotFound
	}
	return nil
}
