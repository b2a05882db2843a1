package grant

import (
	"context"
	"time"

	"github.com/civis-id/civis/internal/account"
)

// AuthRequest is a pending authorization: the RP's request as validated, then who signed in.
type AuthRequest struct {
	ID            string
	ClientID      string
	RedirectURI   string
	State         string
	Nonce         string
	Scopes        []string
	ResponseType  string
	ResponseMode  string
	CodeChallenge string
	CodeMethod    string
	Prompt        []string
	MaxAge        *time.Duration
	UILocales     []string
	LoginHint     string
	ACRValues     []string // requested (voluntary unless Essential)
	ACREssential  bool     // acr requested as essential in the claims parameter
	ClaimsACR     []string // values of the essential acr claim
	// Filled when the citizen has signed in and consented:
	AccountID string
	SessionID string
	AuthTime  time.Time
	AMR       []string
	ACR       string // the level met, urn:civis:loa:...
	Done      bool
	CodeHash  string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Token is an issued access token (opaque to RPs; looked up by id).
type Token struct {
	ID        string
	ClientID  string
	AccountID string
	SessionID string
	RefreshID string // the refresh token issued with it, if any
	Scopes    []string
	Audience  []string
	AMR       []string
	ACR       string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Refresh is one refresh token of a rotation family. Using it marks it used and issues the
// next one; presenting a used one again revokes the whole family (reuse detection).
type Refresh struct {
	ID        string
	TokenHash string
	FamilyID  string
	ClientID  string
	AccountID string
	SessionID string
	Scopes    []string
	Audience  []string
	AMR       []string
	ACR       string
	AuthTime  time.Time
	UsedAt    time.Time // zero while current
	Revoked   bool
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionClient records that a client got tokens from a sign-in session.
type SessionClient struct {
	SessionID string
	ClientID  string
	SID       string // the sid claim this client sees (distinct per client)
	AccountID string
	CreatedAt time.Time
}

// Store persists grants.
type Store interface {
	CreateAuthRequest(ctx context.Context, r *AuthRequest) error
	GetAuthRequest(ctx context.Context, id string) (*AuthRequest, error)
	AuthRequestByCodeHash(ctx context.Context, hash string) (*AuthRequest, error)
	UpdateAuthRequest(ctx context.Context, r *AuthRequest) error
	// SetAuthCode records the hash of the code issued for request id (store.ErrNotFound if
	// there is no such request); reads return it as the request's CodeHash.
	SetAuthCode(ctx context.Context, id, codeHash string) error
	DeleteAuthRequest(ctx context.Context, id string) error

	CreateToken(ctx context.Context, t *Token) error
	GetToken(ctx context.Context, id string) (*Token, error)
	// TokenAccount returns an access token and the account it was issued for in one read,
	// with the account's contacts only when wantContacts (nil: always) says the token's scopes
	// release them; store.ErrNotFound when either is missing.
	TokenAccount(ctx context.Context, id string, wantContacts func(scopes []string) bool) (*Token, *account.Account, error)
	DeleteToken(ctx context.Context, id string) error

	CreateRefresh(ctx context.Context, r *Refresh) error
	RefreshByHash(ctx context.Context, hash string) (*Refresh, error)
	RefreshByID(ctx context.Context, id string) (*Refresh, error)
	// RefreshAccount returns the refresh token with this hash and its account, without
	// contacts, in one read; store.ErrNotFound when either is missing.
	RefreshAccount(ctx context.Context, hash string) (*Refresh, *account.Account, error)
	// MarkRefreshUsed sets UsedAt if the token is still current; false when it was already used.
	MarkRefreshUsed(ctx context.Context, id string, at time.Time) (bool, error)
	// RevokeFamily revokes every refresh token of the family and deletes their access tokens.
	RevokeFamily(ctx context.Context, familyID string) error
	// RevokeClientGrants revokes the account's refresh tokens and access tokens for a client.
	RevokeClientGrants(ctx context.Context, accountID, clientID string) error

	AddSessionClient(ctx context.Context, sc SessionClient) error
	SessionClients(ctx context.Context, sessionID string) ([]SessionClient, error)
	// SessionBySID returns the session id behind a client-facing sid, or store.ErrNotFound.
	SessionBySID(ctx context.Context, sid string) (SessionClient, error)
	// EndSessionGrants deletes the session's access tokens and revokes its refresh tokens.
	EndSessionGrants(ctx context.Context, sessionID string) error

	DeleteExpiredGrants(ctx context.Context, now time.Time, limit int) (int, error)
}

// Pushed is an authorization request pushed by a client (RFC 9126), redeemed once by its
// request_uri.
type Pushed struct {
	ID        string // the part after urn:ietf:params:oauth:request_uri:
	ClientID  string
	Params    string // the form, URL-encoded
	ExpiresAt time.Time
}

// PushedStore persists pushed requests.
type PushedStore interface {
	SavePushed(ctx context.Context, p *Pushed) error
	// TakePushed returns and deletes the pushed request, or store.ErrNotFound.
	TakePushed(ctx context.Context, id string) (*Pushed, error)
}
