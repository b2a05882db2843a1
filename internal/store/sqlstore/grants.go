package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/store"
)

var _ grant.Store = (*DB)(nil)

// CreateAuthRequest implements grant.Store. The request is sealed whole: it carries the
// login hint (a phone or email) and the RP's state.
func (db *DB) CreateAuthRequest(ctx context.Context, r *grant.AuthRequest) error {
	data, err := db.sealFlow(r.ID, r)
	if err != nil {
		return err
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO oidc_auth_requests (id, client_id, data, code_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.ID, r.ClientID, data, nullable(r.CodeHash), micros(r.CreatedAt), micros(r.ExpiresAt))
	return mapErr(err)
}

// GetAuthRequest implements grant.Store.
func (db *DB) GetAuthRequest(ctx context.Context, id string) (*grant.AuthRequest, error) {
	return db.authRequest(ctx, `SELECT id, data, code_hash FROM oidc_auth_requests WHERE id = $1`, id)
}

// AuthRequestByCodeHash implements grant.Store.
func (db *DB) AuthRequestByCodeHash(ctx context.Context, hash string) (*grant.AuthRequest, error) {
	return db.authRequest(ctx, `SELECT id, data, code_hash FROM oidc_auth_requests WHERE code_hash = $1`, hash)
}

func (db *DB) authRequest(ctx context.Context, q, arg string) (*grant.AuthRequest, error) {
	var id string
	var data []byte
	var codeHash *string
	if err := db.read(ctx).QueryRowContext(ctx, q, arg).Scan(&id, &data, &codeHash); err != nil {
		return nil, mapErr(err)
	}
	plain, err := db.keys.Open(data, []byte("flow:"+id))
	if err != nil {
		return nil, fmt.Errorf("open auth request: %w", err)
	}
	r := &grant.AuthRequest{}
	if err := json.Unmarshal(plain, r); err != nil {
		return nil, fmt.Errorf("decode auth request: %w", err)
	}
	if codeHash != nil {
		r.CodeHash = *codeHash // the column is authoritative (SetAuthCode writes only it)
	}
	return r, nil
}

// SetAuthCode implements grant.Store: only the code hash column changes, so issuing a code
// costs one statement instead of reading, opening, sealing and rewriting the request.
func (db *DB) SetAuthCode(ctx context.Context, id, codeHash string) error {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE oidc_auth_requests SET code_hash = $1 WHERE id = $2`, codeHash, id)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// UpdateAuthRequest implements grant.Store.
func (db *DB) UpdateAuthRequest(ctx context.Context, r *grant.AuthRequest) error {
	data, err := db.sealFlow(r.ID, r)
	if err != nil {
		return err
	}
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE oidc_auth_requests SET data = $1, code_hash = $2 WHERE id = $3`,
		data, nullable(r.CodeHash), r.ID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteAuthRequest implements grant.Store.
func (db *DB) DeleteAuthRequest(ctx context.Context, id string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM oidc_auth_requests WHERE id = $1`, id)
	return mapErr(err)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateToken implements grant.Store.
func (db *DB) CreateToken(ctx context.Context, t *grant.Token) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO oidc_tokens (id, client_id, account_id, session_id, refresh_id,
		scopes, audience, amr, acr, auth_time, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		t.ID, t.ClientID, t.AccountID, t.SessionID, t.RefreshID, join(t.Scopes), join(t.Audience), join(t.AMR), t.ACR,
		micros(t.AuthTime), micros(t.CreatedAt), micros(t.ExpiresAt))
	return mapErr(err)
}

// GetToken implements grant.Store.
func (db *DB) GetToken(ctx context.Context, id string) (*grant.Token, error) {
	t := &grant.Token{}
	var scopes, aud, amr string
	var auth, created, expires int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT id, client_id, account_id, session_id, refresh_id, scopes, audience,
		amr, acr, auth_time, created_at, expires_at FROM oidc_tokens WHERE id = $1`, id).
		Scan(&t.ID, &t.ClientID, &t.AccountID, &t.SessionID, &t.RefreshID, &scopes, &aud, &amr, &t.ACR, &auth, &created, &expires)
	if err != nil {
		return nil, mapErr(err)
	}
	t.Scopes, t.Audience, t.AMR = strings.Fields(scopes), strings.Fields(aud), strings.Fields(amr)
	t.AuthTime, t.CreatedAt, t.ExpiresAt = fromMicros(auth), fromMicros(created), fromMicros(expires)
	return t, nil
}

// TokenAccount returns an access token and the account it was issued for in one statement
// (the userinfo endpoint's read), with the account's contacts only when wantContacts says the
// token's scopes release them. store.ErrNotFound when either is missing.
func (db *DB) TokenAccount(ctx context.Context, id string, wantContacts func(scopes []string) bool) (*grant.Token, *account.Account, error) {
	t := &grant.Token{}
	var ar accountRow
	var scopes, aud, amr string
	var auth, created, expires int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT t.id, t.client_id, t.account_id, t.session_id, t.refresh_id,
		t.scopes, t.audience, t.amr, t.acr, t.auth_time, t.created_at, t.expires_at, `+accountColumns+`
		FROM oidc_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.id = $1`, id).
		Scan(append([]any{&t.ID, &t.ClientID, &t.AccountID, &t.SessionID, &t.RefreshID, &scopes, &aud, &amr, &t.ACR,
			&auth, &created, &expires}, ar.dest()...)...)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	t.Scopes, t.Audience, t.AMR = strings.Fields(scopes), strings.Fields(aud), strings.Fields(amr)
	t.AuthTime, t.CreatedAt, t.ExpiresAt = fromMicros(auth), fromMicros(created), fromMicros(expires)
	a := ar.account()
	if wantContacts == nil || wantContacts(t.Scopes) {
		if a.Contacts, err = db.contacts(ctx, a.ID); err != nil {
			return nil, nil, err
		}
	}
	return t, a, nil
}

// DeleteToken implements grant.Store.
func (db *DB) DeleteToken(ctx context.Context, id string) error {
	_, err := db.write(ctx).ExecContext(ctx, `DELETE FROM oidc_tokens WHERE id = $1`, id)
	return mapErr(err)
}

// CreateRefresh implements grant.Store.
func (db *DB) CreateRefresh(ctx context.Context, r *grant.Refresh) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO oidc_refresh_tokens (id, token_hash, family_id, client_id,
		account_id, session_id, scopes, audience, amr, acr, auth_time, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.ID, r.TokenHash, r.FamilyID, r.ClientID, r.AccountID, r.SessionID, join(r.Scopes), join(r.Audience),
		join(r.AMR), r.ACR, micros(r.AuthTime), micros(r.CreatedAt), micros(r.ExpiresAt))
	return mapErr(err)
}

// RefreshByHash implements grant.Store.
func (db *DB) RefreshByHash(ctx context.Context, hash string) (*grant.Refresh, error) {
	return db.refresh(ctx, "token_hash", hash)
}

// RefreshByID implements grant.Store.
func (db *DB) RefreshByID(ctx context.Context, id string) (*grant.Refresh, error) {
	return db.refresh(ctx, "id", id)
}

func (db *DB) refresh(ctx context.Context, column, value string) (*grant.Refresh, error) {
	r := &grant.Refresh{}
	var scopes, aud, amr string
	var auth, used, created, expires int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT id, token_hash, family_id, client_id, account_id, session_id, scopes,
		audience, amr, acr, auth_time, used_at, revoked, created_at, expires_at FROM oidc_refresh_tokens WHERE `+column+` = $1`, value).
		Scan(&r.ID, &r.TokenHash, &r.FamilyID, &r.ClientID, &r.AccountID, &r.SessionID, &scopes, &aud, &amr, &r.ACR,
			&auth, &used, &r.Revoked, &created, &expires)
	if err != nil {
		return nil, mapErr(err)
	}
	r.Scopes, r.Audience, r.AMR = strings.Fields(scopes), strings.Fields(aud), strings.Fields(amr)
	r.AuthTime, r.UsedAt, r.CreatedAt, r.ExpiresAt = fromMicros(auth), fromMicros(used), fromMicros(created), fromMicros(expires)
	return r, nil
}

// RefreshAccount returns the refresh token with this hash and its account (without contacts)
// in one statement: the refresh grant's read, whose account fills the new ID token.
func (db *DB) RefreshAccount(ctx context.Context, hash string) (*grant.Refresh, *account.Account, error) {
	r := &grant.Refresh{}
	var ar accountRow
	var scopes, aud, amr string
	var auth, used, created, expires int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT r.id, r.token_hash, r.family_id, r.client_id, r.account_id,
		r.session_id, r.scopes, r.audience, r.amr, r.acr, r.auth_time, r.used_at, r.revoked, r.created_at, r.expires_at,
		`+accountColumns+`
		FROM oidc_refresh_tokens r JOIN accounts a ON a.id = r.account_id WHERE r.token_hash = $1`, hash).
		Scan(append([]any{&r.ID, &r.TokenHash, &r.FamilyID, &r.ClientID, &r.AccountID, &r.SessionID, &scopes, &aud, &amr,
			&r.ACR, &auth, &used, &r.Revoked, &created, &expires}, ar.dest()...)...)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	r.Scopes, r.Audience, r.AMR = strings.Fields(scopes), strings.Fields(aud), strings.Fields(amr)
	r.AuthTime, r.UsedAt, r.CreatedAt, r.ExpiresAt = fromMicros(auth), fromMicros(used), fromMicros(created), fromMicros(expires)
	return r, ar.account(), nil
}

// MarkRefreshUsed implements grant.Store: a conditional update, so of two concurrent uses
// exactly one wins.
func (db *DB) MarkRefreshUsed(ctx context.Context, id string, at time.Time) (bool, error) {
	res, err := db.write(ctx).ExecContext(ctx, `UPDATE oidc_refresh_tokens SET used_at = $1
		WHERE id = $2 AND used_at = 0 AND NOT revoked`, micros(at), id)
	if err != nil {
		return false, mapErr(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RevokeFamily implements grant.Store.
func (db *DB) RevokeFamily(ctx context.Context, familyID string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		q := db.write(ctx)
		if _, err := q.ExecContext(ctx, `DELETE FROM oidc_tokens WHERE refresh_id IN
			(SELECT id FROM oidc_refresh_tokens WHERE family_id = $1)`, familyID); err != nil {
			return mapErr(err)
		}
		_, err := q.ExecContext(ctx, `UPDATE oidc_refresh_tokens SET revoked = TRUE WHERE family_id = $1`, familyID)
		return mapErr(err)
	})
}

// RevokeClientGrants implements grant.Store.
func (db *DB) RevokeClientGrants(ctx context.Context, accountID, clientID string) error {
	return db.revokeWhere(ctx, `account_id = $1 AND client_id = $2`, accountID, clientID)
}

// EndSessionGrants implements grant.Store.
func (db *DB) EndSessionGrants(ctx context.Context, sessionID string) error {
	return db.revokeWhere(ctx, `session_id = $1`, sessionID)
}

func (db *DB) revokeWhere(ctx context.Context, where string, args ...any) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		q := db.write(ctx)
		if _, err := q.ExecContext(ctx, `DELETE FROM oidc_tokens WHERE `+where, args...); err != nil {
			return mapErr(err)
		}
		_, err := q.ExecContext(ctx, `UPDATE oidc_refresh_tokens SET revoked = TRUE WHERE `+where, args...)
		return mapErr(err)
	})
}

// AddSessionClient implements grant.Store.
func (db *DB) AddSessionClient(ctx context.Context, sc grant.SessionClient) error {
	_, err := db.write(ctx).ExecContext(ctx, `INSERT INTO oidc_session_clients (session_id, client_id, account_id, sid, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id, client_id) DO NOTHING`,
		sc.SessionID, sc.ClientID, sc.AccountID, sc.SID, micros(sc.CreatedAt))
	return mapErr(err)
}

// SessionClients implements grant.Store.
func (db *DB) SessionClients(ctx context.Context, sessionID string) ([]grant.SessionClient, error) {
	rows, err := db.read(ctx).QueryContext(ctx, `SELECT session_id, client_id, account_id, sid, created_at
		FROM oidc_session_clients WHERE session_id = $1 ORDER BY created_at`, sessionID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []grant.SessionClient
	for rows.Next() {
		var sc grant.SessionClient
		var created int64
		if err := rows.Scan(&sc.SessionID, &sc.ClientID, &sc.AccountID, &sc.SID, &created); err != nil {
			return nil, err
		}
		sc.CreatedAt = fromMicros(created)
		out = append(out, sc)
	}
	return out, rows.Err()
}

// SessionBySID implements grant.Store.
func (db *DB) SessionBySID(ctx context.Context, sid string) (grant.SessionClient, error) {
	var sc grant.SessionClient
	var created int64
	err := db.read(ctx).QueryRowContext(ctx, `SELECT session_id, client_id, account_id, sid, created_at
		FROM oidc_session_clients WHERE sid = $1`, sid).Scan(&sc.SessionID, &sc.ClientID, &sc.AccountID, &sc.SID, &created)
	if err != nil {
		return sc, mapErr(err)
	}
	sc.CreatedAt = fromMicros(created)
	return sc, nil
}

// DeleteExpiredGrants implements grant.Store: expired auth requests, access tokens and
// refresh tokens, in small batches.
func (db *DB) DeleteExpiredGrants(ctx context.Context, now time.Time, limit int) (int, error) {
	total := 0
	for _, table := range []string{"oidc_auth_requests", "oidc_tokens", "oidc_refresh_tokens", "oidc_pushed"} {
		n, err := db.deleteBatch(ctx, table, "expires_at", now, limit)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func join(s []string) string { return strings.Join(s, " ") }

var _ grant.PushedStore = (*DB)(nil)

// SavePushed implements grant.PushedStore.
func (db *DB) SavePushed(ctx context.Context, p *grant.Pushed) error {
	enc, err := db.keys.Seal([]byte(p.Params), []byte("par:"+p.ID))
	if err != nil {
		return err
	}
	_, err = db.write(ctx).ExecContext(ctx, `INSERT INTO oidc_pushed (id, client_id, params, expires_at) VALUES ($1, $2, $3, $4)`,
		p.ID, p.ClientID, enc, micros(p.ExpiresAt))
	return mapErr(err)
}

// TakePushed implements grant.PushedStore: the delete decides who redeems it.
func (db *DB) TakePushed(ctx context.Context, id string) (*grant.Pushed, error) {
	p := &grant.Pushed{ID: id}
	var enc []byte
	var exp int64
	err := db.write(ctx).QueryRowContext(ctx, `DELETE FROM oidc_pushed WHERE id = $1 RETURNING client_id, params, expires_at`, id).
		Scan(&p.ClientID, &enc, &exp)
	if err != nil {
		return nil, mapErr(err)
	}
	plain, err := db.keys.Open(enc, []byte("par:"+id))
	if err != nil {
		return nil, err
	}
	p.Params, p.ExpiresAt = string(plain), fromMicros(exp)
	return p, nil
}
