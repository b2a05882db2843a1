package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/store"
)

var _ center.Store = (*DB)(nil)

const centerColumns = `id, name, address, lat, lon, hours, timezone, phone, services, created_at, updated_at`

// CreateCenter implements center.Store.
func (db *DB) CreateCenter(ctx context.Context, c *center.Center) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO centers (`+centerColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.ID, c.Name, c.Address, c.Lat, c.Lon, c.Hours.String(), c.Hours.Zone, c.Phone,
		strings.Join(c.Services, " "), micros(c.CreatedAt), micros(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert center: %w", mapErr(err))
	}
	return nil
}

// GetCenter implements center.Store.
func (db *DB) GetCenter(ctx context.Context, id string) (*center.Center, error) {
	row := db.read(ctx).QueryRowContext(ctx, `SELECT `+centerColumns+` FROM centers WHERE id = $1`, id)
	return scanCenter(row)
}

// ListCenters implements center.Store.
func (db *DB) ListCenters(ctx context.Context) ([]*center.Center, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT `+centerColumns+` FROM centers ORDER BY id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*center.Center
	for rows.Next() {
		c, err := scanCenter(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateCenter implements center.Store.
func (db *DB) UpdateCenter(ctx context.Context, c *center.Center) error {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE centers SET name = $1, address = $2, lat = $3, lon = $4,
		hours = $5, timezone = $6, phone = $7, services = $8, updated_at = $9 WHERE id = $10`,
		c.Name, c.Address, c.Lat, c.Lon, c.Hours.String(), c.Hours.Zone, c.Phone, strings.Join(c.Services, " "),
		micros(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("update center: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteCenter implements center.Store.
func (db *DB) DeleteCenter(ctx context.Context, id string) error {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM centers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete center: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// centerScanner is a *sql.Row or *sql.Rows.
type centerScanner interface{ Scan(dest ...any) error }

func scanCenter(s centerScanner) (*center.Center, error) {
	c := &center.Center{}
	var hours, zone, services string
	var created, updated int64
	err := s.Scan(&c.ID, &c.Name, &c.Address, &c.Lat, &c.Lon, &hours, &zone, &c.Phone, &services, &created, &updated)
	if err != nil {
		return nil, mapErr(err)
	}
	if c.Hours, err = center.ParseHours(hours, zone); err != nil {
		return nil, fmt.Errorf("center %s: stored hours: %w", c.ID, err)
	}
	c.Services = strings.Fields(services)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}
