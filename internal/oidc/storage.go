package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

// storage implements op.Storage over Civis's stores.
type storage struct{ p *Provider }

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanTerminateSessionFromRequest = (*storage)(nil)
)

// errNotFound satisfies the library's StorageNotFoundError, so unknown ids answer 4xx.
type errNotFound struct{ what string }

func (e errNotFound) Error() string { return e.what + " not found" }
func (errNotFound) IsNotFound()     {}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CreateAuthRequest stores the validated request. The claims parameter and pushed requests
// are read by the HTTP layer and reach here through the context.
func (s *storage) CreateAuthRequest(ctx context.Context, req *zoidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge != "" && req.CodeChallengeMethod != zoidc.CodeChallengeMethodS256 {
		return nil, zoidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	}
	c, err := s.p.Clients.Get(ctx, req.ClientID)
	if err != nil {
		return nil, err
	}
	if c.Public() && req.CodeChallenge == "" {
		return nil, zoidc.ErrInvalidRequest().WithDescription("public clients must use PKCE (code_challenge with S256)")
	}
	// The library lets the standard scopes (email, profile, ...) through whatever the client
	// registered; only what the client may ask for goes on.
	scopes := make([]string, 0, len(req.Scopes))
	for _, sc := range req.Scopes {
		if c.AllowsScope(sc) && slices.Contains(rp.KnownScopes, sc) && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	now := s.p.Now().UTC()
	r := &grant.AuthRequest{
		ID: uuid.Must(uuid.NewV7()).String(), ClientID: req.ClientID, RedirectURI: req.RedirectURI,
		State: req.State, Nonce: req.Nonce, Scopes: scopes, ResponseType: string(req.ResponseType),
		ResponseMode: string(req.ResponseMode), CodeChallenge: req.CodeChallenge, CodeMethod: string(req.CodeChallengeMethod),
		Prompt: req.Prompt, LoginHint: req.LoginHint, ACRValues: req.ACRValues,
		CreatedAt: now, ExpiresAt: now.Add(s.p.cfg.AuthRequestTTL),
	}
	if req.MaxAge != nil {
		d := time.Duration(*req.MaxAge) * time.Second
		r.MaxAge = &d
	}
	for _, l := range req.UILocales {
		r.UILocales = append(r.UILocales, l.String())
	}
	r.ClaimsACR, r.ACREssential = claimsACRFrom(ctx)
	if err := s.p.Grants.CreateAuthRequest(ctx, r); err != nil {
		return nil, err
	}
	return &authRequest{r: r}, nil
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.p.Grants.GetAuthRequest(ctx, id)
	return s.loadAuthRequest(ctx, r, err)
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.p.Grants.AuthRequestByCodeHash(ctx, hashSecret(code))
	return s.loadAuthRequest(ctx, r, err)
}

func (s *storage) loadAuthRequest(ctx context.Context, r *grant.AuthRequest, err error) (op.AuthRequest, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound{"auth request"}
	}
	if err != nil {
		return nil, err
	}
	if !s.p.Now().Before(r.ExpiresAt) {
		return nil, errNotFound{"auth request"}
	}
	ar := &authRequest{r: r}
	if r.AccountID != "" {
		c, err := s.p.Clients.Get(ctx, r.ClientID)
		if err != nil {
			return nil, err
		}
		ar.sub = s.p.subject(c, r.AccountID)
	}
	return ar, nil
}

// SaveAuthCode stores only the code's hash: a stolen database yields no usable code.
func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.p.Grants.SetAuthCode(ctx, id, hashSecret(code))
}

func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	return s.p.Grants.DeleteAuthRequest(ctx, id)
}

// CreateAccessToken issues an access token without a refresh token.
func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	ar, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, zoidc.ErrUnsupportedGrantType()
	}
	var t *grant.Token
	err := s.p.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		t, err = s.p.issueAccess(ctx, true, ar.r.ClientID, ar.r.AccountID, ar.r.SessionID, "", ar.r.Scopes, ar.r.AMR, ar.r.ACR, ar.r.AuthTime)
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.p.auditIssued(ctx, t); err != nil {
		return "", time.Time{}, err
	}
	return t.ID, t.ExpiresAt, nil
}

// CreateAccessAndRefreshTokens issues a new refresh token: a new family after a code
// exchange, or the next token of the family on rotation (the presented one becomes used).
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	var access *grant.Token
	var refresh string
	err := s.p.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		switch r := req.(type) {
		case *authRequest:
			access, refresh, err = s.p.startFamily(ctx, r.r)
		case *refreshRequest:
			access, refresh, err = s.p.rotate(ctx, r)
		default:
			err = zoidc.ErrUnsupportedGrantType()
		}
		return err
	})
	if errors.Is(err, errRefreshReused) {
		if rr, ok := req.(*refreshRequest); ok {
			s.p.reuseDetected(ctx, rr.r)
		}
		return "", "", time.Time{}, zoidc.ErrInvalidGrant().WithDescription("refresh token already used")
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	if err := s.p.auditIssued(ctx, access); err != nil {
		return "", "", time.Time{}, err
	}
	return access.ID, refresh, access.ExpiresAt, nil
}

// TokenRequestByRefreshToken finds a current refresh token. A used one means the token was
// stolen or replayed: the whole family is revoked.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	r, acc, err := s.p.Grants.RefreshAccount(ctx, hashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, op.ErrInvalidRefreshToken
	}
	if err != nil {
		return nil, err
	}
	if r.Revoked || !s.p.Now().Before(r.ExpiresAt) {
		return nil, op.ErrInvalidRefreshToken
	}
	if !r.UsedAt.IsZero() {
		s.p.reuseDetected(ctx, r)
		return nil, op.ErrInvalidRefreshToken
	}
	c, err := s.p.Clients.Get(ctx, r.ClientID)
	if err != nil {
		return nil, err
	}
	return &refreshRequest{r: r, sub: s.p.subject(c, r.AccountID), scopes: r.Scopes, acc: acc}, nil
}

// TerminateSession is not used: TerminateSessionFromRequest handles logout.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	return s.p.endSession(ctx, req)
}

// RevokeToken revokes an access token (by id) or a refresh token (by value, with its family).
// Unknown tokens are not an error (RFC 7009).
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *zoidc.Error {
	if userID != "" {
		// An access token's id, or (through GetRefreshTokenInfo) a refresh token's id.
		if t, err := s.p.Grants.GetToken(ctx, tokenOrID); err == nil {
			if t.ClientID == clientID && s.p.Grants.DeleteToken(ctx, t.ID) != nil {
				return zoidc.ErrServerError()
			}
			return nil
		}
		r, err := s.p.Grants.RefreshByID(ctx, tokenOrID)
		if err != nil || r.ClientID != clientID {
			return nil
		}
		if err := s.p.Grants.RevokeFamily(ctx, r.FamilyID); err != nil {
			return zoidc.ErrServerError()
		}
		return nil
	}
	r, err := s.p.Grants.RefreshByHash(ctx, hashSecret(tokenOrID))
	if err != nil || r.ClientID != clientID {
		return nil
	}
	if err := s.p.Grants.RevokeFamily(ctx, r.FamilyID); err != nil {
		return zoidc.ErrServerError()
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	r, err := s.p.Grants.RefreshByHash(ctx, hashSecret(token))
	if err != nil || r.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	c, err := s.p.Clients.Get(ctx, clientID)
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	return s.p.subject(c, r.AccountID), r.ID, nil
}

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.p.Keys.Active(ctx)
	if err != nil {
		return nil, err
	}
	return signingKey{k.ID, jose.SignatureAlgorithm(k.Algorithm), k.Signer}, nil
}

func (s *storage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	keys, err := s.p.Keys.Published(ctx)
	if err != nil {
		return nil, err
	}
	var out []jose.SignatureAlgorithm
	for _, k := range keys {
		if a := jose.SignatureAlgorithm(k.Algorithm); !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []jose.SignatureAlgorithm{jose.ES256}
	}
	return out, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.p.Keys.Published(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, 0, len(keys))
	for _, k := range keys {
		out = append(out, publicKey{k.ID, jose.SignatureAlgorithm(k.Algorithm), k.Signer.Public()})
	}
	return out, nil
}

func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.p.Clients.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound{"client"}
	}
	if err != nil {
		return nil, err
	}
	return s.p.opClient(c), nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := s.p.Clients.Get(ctx, id)
	if err != nil {
		return zoidc.ErrInvalidClient().WithDescription("unknown client or wrong secret")
	}
	if c.AuthMethod != rp.ClientSecretBasic && c.AuthMethod != rp.ClientSecretPost || !s.p.Clients.VerifySecret(c, secret) {
		return zoidc.ErrInvalidClient().WithDescription("unknown client or wrong secret")
	}
	return nil
}

// SetUserinfoFromScopes is deprecated in the library; SetUserinfoFromRequest does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *zoidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's own claims (the openid scope's): trusted,
// confirmation_method, aal, sid, and acr where the library does not set it (refresh).
func (s *storage) SetUserinfoFromRequest(ctx context.Context, ui *zoidc.UserInfo, req op.IDTokenRequest, _ []string) error {
	var accountID, sessionID, acr string
	var amr []string
	var acc *account.Account
	switch r := req.(type) {
	case *authRequest:
		accountID, sessionID, amr = r.r.AccountID, r.r.SessionID, r.r.AMR
	case *refreshRequest:
		accountID, sessionID, amr, acr, acc = r.r.AccountID, r.r.SessionID, r.r.AMR, r.r.ACR, r.acc
	default:
		return nil
	}
	c, err := s.p.Clients.Get(ctx, req.GetClientID())
	if err != nil {
		return err
	}
	if acc == nil {
		// Its level and confirmation method, not its contacts: no openid-scope claim uses them.
		if acc, err = s.p.Accounts.AccountCore(ctx, accountID); err != nil {
			return err
		}
	}
	ui.Subject = req.GetSubject() // the library copies it over the ID token's sub
	for k, v := range openIDClaims(acc, c, amr) {
		ui.AppendClaims(k, v)
	}
	if sessionID != "" {
		ui.AppendClaims("sid", s.p.sid(sessionID, c.ID))
	}
	if acr != "" {
		ui.AppendClaims("acr", acr)
	}
	return nil
}

// SetUserinfoFromToken is the library's userinfo hook; Civis serves the userinfo endpoint
// itself (serveUserinfo), so the library never calls it.
func (s *storage) SetUserinfoFromToken(context.Context, *zoidc.UserInfo, string, string, string) error {
	return errors.New("userinfo is served by serveUserinfo")
}

// SetIntrospectionFromToken answers introspection for the client the token was issued to
// (or a client with the "introspect" role, such as a resource server).
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *zoidc.IntrospectionResponse, tokenID, subject, caller string) error {
	t, err := s.liveToken(ctx, tokenID)
	if err != nil {
		return err
	}
	if caller != t.ClientID {
		c, err := s.p.Clients.Get(ctx, caller)
		if err != nil || !slices.Contains(c.Roles, "introspect") {
			return errors.New("token not issued to this client")
		}
	}
	resp.Scope, resp.ClientID, resp.Subject = t.Scopes, t.ClientID, subject
	resp.Audience, resp.TokenType = t.Audience, zoidc.BearerToken
	resp.Expiration, resp.IssuedAt = zoidc.FromTime(t.ExpiresAt), zoidc.FromTime(t.CreatedAt)
	resp.Issuer = s.p.cfg.Issuer
	resp.AuthTime = zoidc.FromTime(t.AuthTime)
	resp.AuthenticationMethodsReferences = t.AMR
	return nil
}

var errTokenInactive = errors.New("token is not active")

func (s *storage) liveToken(ctx context.Context, id string) (*grant.Token, error) {
	t, err := s.p.Grants.GetToken(ctx, id)
	if err != nil {
		return nil, errTokenInactive
	}
	if !s.p.Now().Before(t.ExpiresAt) {
		return nil, errTokenInactive
	}
	return t, nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID finds a private_key_jwt client's public key.
func (s *storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	c, err := s.p.Clients.Get(ctx, clientID)
	if err != nil {
		return nil, errNotFound{"client"}
	}
	set, err := s.p.clientKeys(ctx, c)
	if err != nil {
		return nil, err
	}
	for _, k := range set.Keys {
		if k.KeyID == keyID || (keyID == "" && len(set.Keys) == 1) {
			return &k, nil
		}
	}
	return nil, fmt.Errorf("key %q of client %s: %w", keyID, clientID, errNotFound{"key"})
}

func (s *storage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *storage) Health(ctx context.Context) error { return nil }

type signingKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key any
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }

type publicKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key any
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return k.alg }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }
