package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/consent"
	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/signing"
	"github.com/civis-id/civis/internal/store"
)

// Deps are the services the provider works over.
type Deps struct {
	Clients  *rp.Service
	Grants   grant.Store
	Consents consent.Store
	Accounts account.Store
	Sessions *session.Service
	Keys     *signing.Manager
	Tx       store.Transactor
	Audit    *audit.Recorder
	Queue    *jobs.Queue
	Logger   *slog.Logger
	Now      func() time.Time
	Pushed   grant.PushedStore
	// Profile releases the verified personal data and documents (birthdate, snils, id_doc,
	// ...); nil releases only names and contacts.
	Profile ProfileClaims
	// BrowserSession returns the Civis session of a browser request, or nil (the cookie is
	// package web's business).
	BrowserSession func(r *http.Request) *session.Session
}

// ProfileClaims gives the claims of the data scopes that the standard level verifies.
type ProfileClaims interface {
	ClaimsFor(ctx context.Context, accountID string, scopes []string) (map[string]any, error)
}

// Config sets the provider's issuer, keys and lifetimes.
type Config struct {
	Issuer         string
	CryptoKey      [32]byte // encrypts opaque access tokens; identical on every node
	PairwiseKey    []byte   // derives pairwise subjects; identical on every node
	AccessTokenTTL time.Duration
	RefreshTTL     time.Duration
	IDTokenTTL     time.Duration
	AuthRequestTTL time.Duration
}

// DefaultConfig returns the lifetimes Civis uses unless configured otherwise.
func DefaultConfig(issuer string) Config {
	return Config{Issuer: issuer, AccessTokenTTL: 15 * time.Minute, RefreshTTL: 30 * 24 * time.Hour,
		IDTokenTTL: time.Hour, AuthRequestTTL: 30 * time.Minute}
}

// Paths of the provider's endpoints (discovery publishes them).
const (
	PathAuthorize  = "/oidc/authorize"
	PathCallback   = "/oidc/authorize/callback"
	PathToken      = "/oidc/token"
	PathIntrospect = "/oidc/introspect"
	PathUserinfo   = "/oidc/userinfo"
	PathRevoke     = "/oidc/revoke"
	PathEndSession = "/oidc/end_session"
	PathKeys       = "/oidc/keys"
	PathPAR        = "/oidc/par"
	PathLogin      = "/oidc/login" // the browser step pages (package web)
	PathLoggedOut  = "/oidc/logged-out"
	PathLogout     = "/oidc/logout" // asks the citizen before an unhinted logout (page of package web)
	PathDiscovery  = "/.well-known/openid-configuration"
)

// Provider is the OpenID Provider.
type Provider struct {
	Deps
	cfg Config
	op  *op.Provider
	st  *storage
}

// New builds the provider.
func New(d Deps, cfg Config) (*Provider, error) {
	p := &Provider{Deps: d, cfg: cfg}
	p.st = &storage{p: p}
	opCfg := &op.Config{
		CryptoKey:                cfg.CryptoKey,
		DefaultLogoutRedirectURI: PathLoggedOut,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		AuthMethodPrivateKeyJWT:  true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.Russian, language.English},
		SupportedScopes:          rp.KnownScopes,
		SupportedClaims: []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "sid",
			"trusted", "confirmation_method", "aal", "family_name", "given_name", "middle_name", "email",
			"email_verified", "phone_number", "phone_number_verified"},
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
	}
	tc, err := newTokenCrypto(cfg.CryptoKey)
	if err != nil {
		return nil, err
	}
	opts := []op.Option{op.WithCrypto(tc)}
	if len(cfg.Issuer) > 7 && cfg.Issuer[:7] == "http://" {
		opts = append(opts, op.WithAllowInsecure())
	}
	opts = append(opts, op.WithCustomEndpoints(op.NewEndpoint(PathAuthorize), op.NewEndpoint(PathToken),
		op.NewEndpoint(PathUserinfo), op.NewEndpoint(PathRevoke), op.NewEndpoint(PathEndSession), op.NewEndpoint(PathKeys)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(PathIntrospect)), op.WithLogger(d.Logger))
	o, err := op.NewProvider(opCfg, p.st, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("openid provider: %w", err)
	}
	p.op = o
	return p, nil
}

// subject is the sub claim for an account at a client: the account id, or for pairwise
// clients a keyed hash of (sector, account id) that no two sectors share.
func (p *Provider) subject(c *rp.Client, accountID string) string {
	if c.SubjectType != rp.Pairwise {
		return accountID
	}
	m := hmac.New(sha256.New, p.cfg.PairwiseKey)
	m.Write([]byte(c.SectorID + "\x00" + accountID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sid is the session id a client sees: distinct per client, so that sites with pairwise
// subjects cannot link a citizen through it.
func (p *Provider) sid(sessionID, clientID string) string {
	m := hmac.New(sha256.New, p.cfg.PairwiseKey)
	m.Write([]byte("sid\x00" + sessionID + "\x00" + clientID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (p *Provider) loginURL(id string) string { return p.cfg.Issuer + PathLogin + "?id=" + id }

func (p *Provider) opClient(c *rp.Client) *opClient {
	return &opClient{c: c, loginURL: p.loginURL, idTTL: p.cfg.IDTokenTTL}
}
