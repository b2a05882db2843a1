package oidc

import (
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/grant"
)

// authRequest presents a grant.AuthRequest to the library. sub is the subject as this client
// sees it (public or pairwise), computed once the citizen has signed in.
type authRequest struct {
	r   *grant.AuthRequest
	sub string
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string          { return a.r.ID }
func (a *authRequest) GetACR() string         { return a.r.ACR }
func (a *authRequest) GetAMR() []string       { return a.r.AMR }
func (a *authRequest) GetAudience() []string  { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.r.AuthTime }
func (a *authRequest) GetClientID() string    { return a.r.ClientID }
func (a *authRequest) GetNonce() string       { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string { return a.r.RedirectURI }
func (a *authRequest) GetScopes() []string    { return a.r.Scopes }
func (a *authRequest) GetState() string       { return a.r.State }
func (a *authRequest) GetSubject() string     { return a.sub }
func (a *authRequest) Done() bool             { return a.r.Done }
func (a *authRequest) GetResponseType() zoidc.ResponseType {
	return zoidc.ResponseType(a.r.ResponseType)
}
func (a *authRequest) GetResponseMode() zoidc.ResponseMode {
	return zoidc.ResponseMode(a.r.ResponseMode)
}
func (a *authRequest) GetCodeChallenge() *zoidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &zoidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: zoidc.CodeChallengeMethod(a.r.CodeMethod)}
}

// refreshRequest presents a refresh token being used to the library.
type refreshRequest struct {
	r      *grant.Refresh
	sub    string
	scopes []string
	acc    *account.Account // read with the token, in this request, for the ID token's claims
}

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (x *refreshRequest) GetAMR() []string            { return x.r.AMR }
func (x *refreshRequest) GetAudience() []string       { return x.r.Audience }
func (x *refreshRequest) GetAuthTime() time.Time      { return x.r.AuthTime }
func (x *refreshRequest) GetClientID() string         { return x.r.ClientID }
func (x *refreshRequest) GetScopes() []string         { return x.scopes }
func (x *refreshRequest) GetSubject() string          { return x.sub }
func (x *refreshRequest) SetCurrentScopes(s []string) { x.scopes = s }
