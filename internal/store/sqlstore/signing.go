package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/signing"
)

var _ signing.Store = (*DB)(nil)

// CreateKey implements signing.Store.
func (db *DB) CreateKey(ctx context.Context, k *signing.Key) error {
	enc, err := db.keys.Seal(k.Private, []byte("signing-key:"+k.ID))
	if err != nil {
		return fmt.Errorf("seal signing key: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO signing_keys (id, algorithm, private_enc, created_at)
		VALUES ($1, $2, $3, $4)`, k.ID, k.Algorithm, enc, micros(k.CreatedAt))
	return mapErr(err)
}

// PublishedKeys implements signing.Store.
func (db *DB) PublishedKeys(ctx context.Context, now time.Time) ([]*signing.Key, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, algorithm, private_enc, created_at, retired_at, publish_til
		FROM signing_keys WHERE retired_at = 0 OR publish_til > $1 ORDER BY retired_at = 0 DESC, created_at DESC`, micros(now))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*signing.Key
	for rows.Next() {
		k := &signing.Key{}
		var enc []byte
		var created, retired, til int64
		if err := rows.Scan(&k.ID, &k.Algorithm, &enc, &created, &retired, &til); err != nil {
			return nil, err
		}
		if k.Private, err = db.keys.Open(enc, []byte("signing-key:"+k.ID)); err != nil {
			return nil, fmt.Errorf("open signing key %s: %w", k.ID, err)
		}
		k.CreatedAt, k.RetiredAt, k.PublishTil = fromMicros(created), fromMicros(retired), fromMicros(til)
		out = append(out, k)
	}
	return out, rows.Err()
}

// RetireKeys implements signing.Store.
func (db *DB) RetireKeys(ctx context.Context, keep string, at, publishTil time.Time) error {
	_, err := db.write(ctx).ExecContext(ctx, `UPDATE signing_keys SET retired_at = $1, publish_til = $2
		WHERE retired_at = 0 AND id <> $3`, micros(at), micros(publishTil), keep)
	return mapErr(err)
}
