package sqlstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/mfa"
)

var _ mfa.Store = (*DB)(nil)

// FactorSummary implements mfa.Store.
func (db *DB) FactorSummary(ctx context.Context, accountID string) (mfa.Factors, error) {
	var f mfa.Factors
	var totp, sms int
	err := db.read(ctx).QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM mfa_totp WHERE account_id = $1 AND confirmed_at > 0),
		(SELECT COUNT(*) FROM mfa_sms WHERE account_id = $1),
		(SELECT COUNT(*) FROM mfa_passkeys WHERE account_id = $1),
		(SELECT COUNT(*) FROM mfa_recovery_codes WHERE account_id = $1 AND used_at = 0)`, accountID).
		Scan(&totp, &sms, &f.Passkeys, &f.RecoveryCodes)
	if err != nil {
		return f, fmt.Errorf("second factors: %w", mapErr(err))
	}
	f.TOTP, f.SMS = totp > 0, sms > 0
	return f, nil
}

// GetTOTP implements mfa.Store.
func (db *DB) GetTOTP(ctx context.Context, accountID string) (*mfa.TOTPKey, error) {
	k := &mfa.TOTPKey{AccountID: accountID}
	var secret []byte
	var created, confirmed int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT secret_enc, last_step, created_at, confirmed_at
		FROM mfa_totp WHERE account_id = $1`, accountID).Scan(&secret, &k.LastStep, &created, &confirmed)
	if err != nil {
		return nil, mapErr(err)
	}
	plain, err := db.keys.Open(secret, []byte("totp:"+accountID))
	if err != nil {
		return nil, fmt.Errorf("open totp secret: %w", err)
	}
	k.Secret, k.CreatedAt, k.ConfirmedAt = string(plain), fromMicros(created), fromMicros(confirmed)
	return k, nil
}

// SaveTOTP implements mfa.Store.
func (db *DB) SaveTOTP(ctx context.Context, k *mfa.TOTPKey) error {
	secret, err := db.keys.Seal([]byte(k.Secret), []byte("totp:"+k.AccountID))
	if err != nil {
		return fmt.Errorf("seal totp secret: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO mfa_totp (account_id, secret_enc, last_step, created_at, confirmed_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (account_id) DO UPDATE SET secret_enc = excluded.secret_enc, last_step = excluded.last_step,
			created_at = excluded.created_at, confirmed_at = excluded.confirmed_at`,
		k.AccountID, secret, k.LastStep, micros(k.CreatedAt), micros(k.ConfirmedAt))
	if err != nil {
		return fmt.Errorf("save totp: %w", mapErr(err))
	}
	return nil
}

// UseTOTPStep implements mfa.Store: one conditional update, so two requests with the same
// code cannot both pass.
func (db *DB) UseTOTPStep(ctx context.Context, accountID string, step int64) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE mfa_totp SET last_step = $1
		WHERE account_id = $2 AND last_step < $1 AND confirmed_at > 0`, step, accountID)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DeleteTOTP implements mfa.Store.
func (db *DB) DeleteTOTP(ctx context.Context, accountID string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM mfa_totp WHERE account_id = $1`, accountID)
	return mapErr(err)
}

// SetSMSFactor implements mfa.Store.
func (db *DB) SetSMSFactor(ctx context.Context, accountID string, on bool, at time.Time) error {
	q := `DELETE FROM mfa_sms WHERE account_id = $1`
	args := []any{accountID}
	if on {
		q = `INSERT INTO mfa_sms (account_id, created_at) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING`
		args = append(args, micros(at))
	}
	_, err := db.write(ctx).ExecContext(ctx, q, args...)
	return mapErr(err)
}

// ReplaceRecoveryCodes implements mfa.Store.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, accountID string, hashes []string, at time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		q := db.write(ctx)
		if _, err := q.ExecContext(ctx, `DELETE FROM mfa_recovery_codes WHERE account_id = $1`, accountID); err != nil {
			return fmt.Errorf("void recovery codes: %w", mapErr(err))
		}
		for _, h := range hashes {
			if _, err := q.ExecContext(ctx, `INSERT INTO mfa_recovery_codes (account_id, code_hash, created_at)
				VALUES ($1, $2, $3)`, accountID, h, micros(at)); err != nil {
				return fmt.Errorf("insert recovery code: %w", mapErr(err))
			}
		}
		return nil
	})
}

// UseRecoveryCode implements mfa.Store.
func (db *DB) UseRecoveryCode(ctx context.Context, accountID, hash string, at time.Time) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE mfa_recovery_codes SET used_at = $1
		WHERE account_id = $2 AND code_hash = $3 AND used_at = 0`, micros(at), accountID, hash)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// AddPasskey implements mfa.Store.
func (db *DB) AddPasskey(ctx context.Context, p *mfa.Passkey) error {
	cred, err := json.Marshal(p.Credential)
	if err != nil {
		return fmt.Errorf("encode passkey: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO mfa_passkeys (id, account_id, credential_id, name, credential,
		created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ID, p.AccountID, base64.RawURLEncoding.EncodeToString(p.CredentialID), p.Name, string(cred),
		micros(p.CreatedAt), micros(p.LastUsedAt))
	if err != nil {
		return fmt.Errorf("insert passkey: %w", mapErr(err))
	}
	return nil
}

// Passkeys implements mfa.Store.
func (db *DB) Passkeys(ctx context.Context, accountID string) ([]*mfa.Passkey, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT id, credential_id, name, credential, created_at, last_used_at
		FROM mfa_passkeys WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", mapErr(err))
	}
	defer rows.Close()
	var out []*mfa.Passkey
	for rows.Next() {
		p := &mfa.Passkey{AccountID: accountID}
		var credID, cred string
		var created, used int64
		if err := rows.Scan(&p.ID, &credID, &p.Name, &cred, &created, &used); err != nil {
			return nil, mapErr(err)
		}
		if p.CredentialID, err = base64.RawURLEncoding.DecodeString(credID); err != nil {
			return nil, fmt.Errorf("decode passkey id: %w", err)
		}
		if err := json.Unmarshal([]byte(cred), &p.Credential); err != nil {
			return nil, fmt.Errorf("decode passkey: %w", err)
		}
		p.CreatedAt, p.LastUsedAt = fromMicros(created), fromMicros(used)
		out = append(out, p)
	}
	return out, mapErr(rows.Err())
}

// UpdatePasskey implements mfa.Store.
func (db *DB) UpdatePasskey(ctx context.Context, p *mfa.Passkey) error {
	cred, err := json.Marshal(p.Credential)
	if err != nil {
		return fmt.Errorf("encode passkey: %w", err)
	}
	_, err = db.write(ctx).ExecContext(ctx, `UPDATE mfa_passkeys SET credential = $1, last_used_at = $2
		WHERE id = $3 AND account_id = $4`, string(cred), micros(p.LastUsedAt), p.ID, p.AccountID)
	return mapErr(err)
}

// DeletePasskey implements mfa.Store.
func (db *DB) DeletePasskey(ctx context.Context, accountID, id string) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM mfa_passkeys WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return false, fmt.Errorf("delete passkey: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// AddDevice implements mfa.Store.
func (db *DB) AddDevice(ctx context.Context, d *mfa.Device) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO mfa_devices (token_hash, account_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4)`, d.TokenHash, d.AccountID, micros(d.CreatedAt), micros(d.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert device: %w", mapErr(err))
	}
	return nil
}

// DeviceByTokenHash implements mfa.Store.
func (db *DB) DeviceByTokenHash(ctx context.Context, hash string) (*mfa.Device, error) {
	d := &mfa.Device{TokenHash: hash}
	var created, expires int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT account_id, created_at, expires_at FROM mfa_devices
		WHERE token_hash = $1`, hash).Scan(&d.AccountID, &created, &expires)
	if err != nil {
		return nil, mapErr(err)
	}
	d.CreatedAt, d.ExpiresAt = fromMicros(created), fromMicros(expires)
	return d, nil
}

// DeleteSecondFactors implements mfa.Store.
func (db *DB) DeleteSecondFactors(ctx context.Context, accountID string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, table := range []string{"mfa_totp", "mfa_sms", "mfa_recovery_codes", "mfa_passkeys", "mfa_devices"} {
			if _, err := db.write(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE account_id = $1`, accountID); err != nil {
				return fmt.Errorf("delete %s: %w", table, mapErr(err))
			}
		}
		return nil
	})
}

// DeleteDevices implements mfa.Store.
func (db *DB) DeleteDevices(ctx context.Context, accountID string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM mfa_devices WHERE account_id = $1`, accountID)
	return mapErr(err)
}

// DeleteExpiredDevices implements mfa.Store.
func (db *DB) DeleteExpiredDevices(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := db.write(ctx).ExecContext(ctx, `DELETE FROM mfa_devices WHERE token_hash IN
		(SELECT token_hash FROM mfa_devices WHERE expires_at < $1 LIMIT $2)`, micros(now), limit)
	if err != nil {
		return 0, fmt.Errorf("delete expired devices: %w", mapErr(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
