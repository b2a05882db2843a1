package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/consent"
)

var _ consent.Store = (*DB)(nil)

// GetConsent implements consent.Store.
func (db *DB) GetConsent(ctx context.Context, accountID, clientID string) (*consent.Consent, error) {
	c := &consent.Consent{AccountID: accountID, ClientID: clientID}
	var scopes string
	var granted, used int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT scopes, granted_at, last_used_at FROM consents
		WHERE account_id = $1 AND client_id = $2`, accountID, clientID).Scan(&scopes, &granted, &used)
	if err != nil {
		return nil, mapErr(err)
	}
	c.Scopes, c.GrantedAt, c.LastUsedAt = strings.Fields(scopes), fromMicros(granted), fromMicros(used)
	return c, nil
}

// SaveConsent implements consent.Store.
func (db *DB) SaveConsent(ctx context.Context, c *consent.Consent) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO consents (account_id, client_id, scopes, granted_at, last_used_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes,
		granted_at = excluded.granted_at, last_used_at = excluded.last_used_at`,
		c.AccountID, c.ClientID, strings.Join(c.Scopes, " "), micros(c.GrantedAt), micros(c.LastUsedAt))
	return mapErr(err)
}

// TouchConsent implements consent.Store.
func (db *DB) TouchConsent(ctx context.Context, accountID, clientID string, at time.Time) error {
	// The last use is shown to the citizen by the day; writing it more than hourly is waste.
	_, err := db.write(ctx).ExecContext(ctx, `UPDATE consents SET last_used_at = $1
		WHERE account_id = $2 AND client_id = $3 AND last_used_at < $4`,
		micros(at), accountID, clientID, micros(at.Add(-time.Hour)))
	return mapErr(err)
}

// ListConsents implements consent.Store.
func (db *DB) ListConsents(ctx context.Context, accountID string) ([]*consent.Consent, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT client_id, scopes, granted_at, last_used_at FROM consents
		WHERE account_id = $1 ORDER BY last_used_at DESC`, accountID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*consent.Consent
	for rows.Next() {
		c := &consent.Consent{AccountID: accountID}
		var scopes string
		var granted, used int64
		if err := rows.Scan(&c.ClientID, &scopes, &granted, &used); err != nil {
			return nil, err
		}
		c.Scopes, c.GrantedAt, c.LastUsedAt = strings.Fields(scopes), fromMicros(granted), fromMicros(used)
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteConsent implements consent.Store.
func (db *DB) DeleteConsent(ctx context.Context, accountID, clientID string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM consents WHERE account_id = $1 AND client_id = $2`, accountID, clientID)
	return mapErr(err)
}
