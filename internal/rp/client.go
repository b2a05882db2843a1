package rp

import (
	"context"
	"time"

	"github.com/civis-id/civis/internal/account"
)

// AuthMethod is how a client authenticates at the token endpoint.
type AuthMethod string

// Client authentication methods.
const (
	PrivateKeyJWT     AuthMethod = "private_key_jwt"
	ClientSecretBasic AuthMethod = "client_secret_basic"
	ClientSecretPost  AuthMethod = "client_secret_post"
	None              AuthMethod = "none" // public client; PKCE required
)

// SubjectType is how the sub claim is derived for a client.
type SubjectType string

// Subject types (OpenID Connect Core 8).
const (
	Public   SubjectType = "public"
	Pairwise SubjectType = "pairwise"
)

// Client is a registered relying party.
type Client struct {
	ID                     string
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	FrontchannelLogoutURI  string
	Scopes                 []string      // scopes the client may ask for; "openid" is implied
	MinLevel               account.Level // lowest account level accepted ("" = simplified)
	AllowedMethods         []string      // confirmation methods accepted for confirmed accounts (empty = all)
	AuthMethod             AuthMethod
	SecretHash             string // keyed hash of the secret (client_secret_* only)
	JWKS                   string // JSON Web Key Set (private_key_jwt), inline
	JWKSURL                string // or fetched from here
	SubjectType            SubjectType
	SectorID               string   // pairwise sector: host of the redirect URIs
	Roles                  []string // partner roles: RoleCenter, RoleBank
	CenterID               string   // the service center a RoleCenter client acts for
	Dev                    bool     // created by --dev; loopback http redirects allowed
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// Partner roles: a client with one of them calls the operator or partner API with
// private_key_jwt client assertions.
const (
	RoleCenter = "center" // a service center's information system (operator API)
	RoleBank   = "bank"   // a partner bank (partner API)
)

// HasRole reports whether the client has the role.
func (c *Client) HasRole(role string) bool {
	for _, r := range c.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Partner reports whether the client is a center's system or a bank rather than a site.
func (c *Client) Partner() bool { return c.HasRole(RoleCenter) || c.HasRole(RoleBank) }

// AllowsScope reports whether the client may ask for scope.
func (c *Client) AllowsScope(scope string) bool {
	if scope == "openid" || scope == "offline_access" {
		return true
	}
	for _, s := range c.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// AcceptsMethod reports whether the client accepts accounts confirmed by method.
func (c *Client) AcceptsMethod(method string) bool {
	if len(c.AllowedMethods) == 0 {
		return true
	}
	for _, m := range c.AllowedMethods {
		if m == method {
			return true
		}
	}
	return false
}

// Public reports whether the client has no credentials (it must use PKCE).
func (c *Client) Public() bool { return c.AuthMethod == None }

// DataCleaner deletes what a client leaves behind: its tokens, refresh tokens, consents and
// pending authorizations.
type DataCleaner interface {
	DeleteClientData(ctx context.Context, clientID string) error
}

// Store persists clients.
type Store interface {
	CreateClient(ctx context.Context, c *Client) error // store.ErrConflict on a taken id
	GetClient(ctx context.Context, id string) (*Client, error)
	ListClients(ctx context.Context) ([]*Client, error)
	UpdateClient(ctx context.Context, c *Client) error
	DeleteClient(ctx context.Context, id string) error
}
