package oidc

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// serveUserinfo answers the userinfo endpoint (OpenID Connect Core §5.3) for the opaque
// access tokens this provider issues. The token comes in the Authorization header or, from a
// POST, in the access_token form field (RFC 6750 §2), read by the library's own parser; the
// answer is the claims the token's scopes release, each release audited before it leaves.
// Every refusal is a 401 with a Bearer challenge (RFC 6750 §3). It stands in for the
// library's handler, which encodes the claims three times over and challenges only some
// refusals.
func (p *Provider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	raw, err := op.ParseUserinfoRequest(r, p.op.Decoder())
	if err != nil || raw == "" {
		bearerRefusal(w, "", "")
		return
	}
	id, subject, ok := p.openAccessToken(raw)
	if !ok {
		bearerRefusal(w, "invalid_token", "the access token is malformed")
		return
	}
	claims, err := p.userinfoFor(r, id, subject)
	if errors.Is(err, errTokenInactive) {
		bearerRefusal(w, "invalid_token", "the access token is not active")
		return
	}
	var body []byte
	if err == nil {
		body, err = json.Marshal(claims)
	}
	if err != nil {
		p.Logger.ErrorContext(r.Context(), "userinfo", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// userinfoFor reads the token with this id and its account and releases their claims;
// errTokenInactive when the token is unknown, expired or its client gone.
func (p *Provider) userinfoFor(r *http.Request, id, subject string) (map[string]any, error) {
	t, acc, err := p.tokenAndAccount(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return p.userinfo(r.Context(), t, acc, subject)
}

// openAccessToken returns the token id and subject sealed in an access token.
func (p *Provider) openAccessToken(raw string) (id, subject string, ok bool) {
	plain, err := p.op.Crypto().Decrypt(raw)
	if err != nil {
		return "", "", false
	}
	id, subject, ok = strings.Cut(plain, ":")
	return id, subject, ok && id != "" && subject != "" && !strings.Contains(subject, ":")
}

// bearerRefusal answers 401 with the challenge of RFC 6750 §3: without an error code when
// the request carried no token, with one (and its description) when the token was refused.
func bearerRefusal(w http.ResponseWriter, code, desc string) {
	challenge := `Bearer`
	if code != "" {
		challenge += ` error="` + code + `", error_description="` + desc + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	if code == "" {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	writeOAuthError(w, http.StatusUnauthorized, code, desc)
}

// userinfoCORS lets browser applications read userinfo from any origin: the bearer token
// is the credential, so no cookies are allowed along.
var userinfoCORS = cors.New(cors.Options{
	AllowedOrigins: []string{"*"},
	AllowedMethods: []string{http.MethodGet, http.MethodPost},
	AllowedHeaders: []string{"Authorization", "Content-Type"},
})
