package sqlstore

import (
	"context"
	"fmt"

	"github.com/civis-id/civis/internal/devoutbox"
	"github.com/civis-id/civis/internal/notify"
)

var _ devoutbox.Store = (*DB)(nil)

// SaveDevMessage implements devoutbox.Store. Dev messages are stored in clear: dev mode only.
func (db *DB) SaveDevMessage(ctx context.Context, m notify.Message) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO dev_outbox (id, channel, to_addr, subject, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		m.ID, m.Channel, m.To, m.Subject, m.Body, micros(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("save dev message: %w", mapErr(err))
	}
	return nil
}

// DevMessages implements devoutbox.Store.
func (db *DB) DevMessages(ctx context.Context, to string, limit int) ([]notify.Message, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, channel, to_addr, subject, body, created_at FROM dev_outbox
		WHERE $1 = '' OR to_addr = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, to, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []notify.Message{}
	for rows.Next() {
		var m notify.Message
		var created int64
		if err := rows.Scan(&m.ID, &m.Channel, &m.To, &m.Subject, &m.Body, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = fromMicros(created)
		out = append(out, m)
	}
	return out, rows.Err()
}
