package oidc

import (
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/civis-id/civis/internal/rp"
)

// opClient presents an rp.Client to the library.
type opClient struct {
	c        *rp.Client
	loginURL func(id string) string
	idTTL    time.Duration
}

var _ op.Client = (*opClient)(nil)

func (c *opClient) GetID() string                    { return c.c.ID }
func (c *opClient) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c *opClient) PostLogoutRedirectURIs() []string { return c.c.PostLogoutRedirectURIs }
func (c *opClient) LoginURL(id string) string        { return c.loginURL(id) }
func (c *opClient) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer // opaque: revocable at once, checked with one indexed read
}
func (c *opClient) IDTokenLifetime() time.Duration       { return c.idTTL }
func (c *opClient) DevMode() bool                        { return c.c.Dev }
func (c *opClient) IsScopeAllowed(scope string) bool     { return c.c.AllowsScope(scope) }
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *opClient) ClockSkew() time.Duration             { return 0 }
func (c *opClient) ResponseTypes() []zoidc.ResponseType {
	return []zoidc.ResponseType{zoidc.ResponseTypeCode}
}
func (c *opClient) GrantTypes() []zoidc.GrantType {
	return []zoidc.GrantType{zoidc.GrantTypeCode, zoidc.GrantTypeRefreshToken}
}

// ApplicationType: public clients are native apps or single-page apps (PKCE, loopback
// redirects with any port); clients with credentials are web servers.
func (c *opClient) ApplicationType() op.ApplicationType {
	if c.c.Public() {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *opClient) AuthMethod() zoidc.AuthMethod {
	switch c.c.AuthMethod {
	case rp.PrivateKeyJWT:
		return zoidc.AuthMethodPrivateKeyJWT
	case rp.ClientSecretPost:
		return zoidc.AuthMethodPost
	case rp.None:
		return zoidc.AuthMethodNone
	}
	return zoidc.AuthMethodBasic
}

// RestrictAdditionalIdTokenScopes keeps ID tokens to the openid claims: personal data is
// released by the userinfo endpoint only.
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func([]string) []string { return []string{zoidc.ScopeOpenID} }
}

func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
