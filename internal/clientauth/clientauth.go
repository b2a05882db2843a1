package clientauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

// Errors of authentication. ErrInvalid answers 401 invalid_client, ErrForbidden 403.
var (
	ErrInvalid   = errors.New("invalid_client")
	ErrForbidden = errors.New("forbidden")
)

// Algorithms are the signature algorithms accepted in client assertions.
var Algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384,
	jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// MaxLifetime bounds how far in the future an assertion may expire: a client makes a fresh
// one for each request.
const MaxLifetime = 5 * time.Minute

// Authenticator checks client assertions.
type Authenticator struct {
	// Clients finds a client by id (rp.Service, which caches).
	Clients interface {
		Get(ctx context.Context, id string) (*rp.Client, error)
	}
	// Keys returns a client's public keys (inline or from its JWKS URL).
	Keys func(ctx context.Context, c *rp.Client) (*jose.JSONWebKeySet, error)
	// Used records an assertion's jti until it expires and returns store.ErrConflict when it
	// was used before.
	Used func(ctx context.Context, clientID, jti string, expires time.Time) error
	// Audiences are the aud values accepted: the issuer, its token endpoint, the API's base URL.
	Audiences []string
	Now       func() time.Time
}

// Authenticate returns the client whose assertion authorizes r, provided it has role. The
// assertion's jti is recorded (the one write) only once the client is known to have the role:
// a client without it is refused with nothing written, and its assertion stays unused.
func (a *Authenticator) Authenticate(r *http.Request, role string) (*rp.Client, error) {
	raw := httpx.BearerToken(r)
	if raw == "" {
		return nil, fmt.Errorf("%w: send a client assertion as Authorization: Bearer", ErrInvalid)
	}
	c, claims, err := a.verify(r.Context(), raw)
	if err != nil {
		return nil, err
	}
	if !c.HasRole(role) {
		return nil, fmt.Errorf("%w: the client has no %s role", ErrForbidden, role)
	}
	if err := a.consume(r.Context(), c.ID, claims); err != nil {
		return nil, err
	}
	return c, nil
}

// consume records the assertion's jti, refusing one used before.
func (a *Authenticator) consume(ctx context.Context, clientID string, claims *jwt.Claims) error {
	err := a.Used(ctx, clientID, claims.ID, claims.Expiry.Time())
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: the assertion was already used", ErrInvalid)
	}
	return err
}

// verify checks the assertion's signature and claims, without recording it, and returns its
// client and claims.
func (a *Authenticator) verify(ctx context.Context, raw string) (*rp.Client, *jwt.Claims, error) {
	tok, err := jwt.ParseSigned(raw, Algorithms)
	if err != nil || len(tok.Headers) != 1 {
		return nil, nil, fmt.Errorf("%w: not a signed JWT", ErrInvalid)
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil || unverified.Issuer == "" {
		return nil, nil, fmt.Errorf("%w: no issuer", ErrInvalid)
	}
	c, err := a.client(ctx, unverified.Issuer)
	if err != nil {
		return nil, nil, err
	}
	set, err := a.Keys(ctx, c)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var claims jwt.Claims
	if !a.verifyWithAny(tok, set, &claims) {
		return nil, nil, fmt.Errorf("%w: bad signature", ErrInvalid)
	}
	if err := a.checkClaims(c.ID, &claims); err != nil {
		return nil, nil, err
	}
	return c, &claims, nil
}

// client finds the assertion's issuer among the clients that sign assertions.
func (a *Authenticator) client(ctx context.Context, id string) (*rp.Client, error) {
	c, err := a.Clients.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: unknown client", ErrInvalid)
	}
	if err != nil {
		return nil, err
	}
	if c.AuthMethod != rp.PrivateKeyJWT {
		return nil, fmt.Errorf("%w: the client does not use private_key_jwt", ErrInvalid)
	}
	return c, nil
}

// verifyWithAny checks the signature with the key named by kid, or with each key when the
// assertion names none.
func (a *Authenticator) verifyWithAny(tok *jwt.JSONWebToken, set *jose.JSONWebKeySet, claims *jwt.Claims) bool {
	kid := tok.Headers[0].KeyID
	for _, k := range set.Keys {
		if (kid != "" && k.KeyID != kid) || !k.Valid() || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if tok.Claims(k.Public().Key, claims) == nil {
			return true
		}
	}
	return false
}

func (a *Authenticator) checkClaims(clientID string, c *jwt.Claims) error {
	now := a.Now()
	err := c.ValidateWithLeeway(jwt.Expected{Issuer: clientID, Subject: clientID, Time: now}, 30*time.Second)
	switch {
	case err != nil:
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	case c.Expiry == nil || c.Expiry.Time().After(now.Add(MaxLifetime+30*time.Second)):
		return fmt.Errorf("%w: exp is required and at most %s ahead", ErrInvalid, MaxLifetime)
	case c.ID == "" || len(c.ID) > 200:
		return fmt.Errorf("%w: jti is required", ErrInvalid)
	case !slices.ContainsFunc(c.Audience, func(aud string) bool { return slices.Contains(a.Audiences, aud) }):
		return fmt.Errorf("%w: aud must be one of %s", ErrInvalid, strings.Join(a.Audiences, ", "))
	}
	return nil
}
