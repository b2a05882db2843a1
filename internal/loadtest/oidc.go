package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/valyala/fasthttp"
)

// OIDC drives the OpenID provider as a confidential relying party would, plus the browser's
// part of an authorization for a citizen who already has a Civis session.
type OIDC struct {
	c                                 *Client
	ClientID, Secret, RedirectURI     string
	Scope                             string
	authorize, token, userinfo, intro string
	noRedirects                       *http.Client
	fast                              *fastClient // userinfo and introspection, when plain http
}

// NewOIDC reads the discovery document of the server behind c.
func NewOIDC(ctx context.Context, c *Client, clientID, secret, redirectURI, scope string) (*OIDC, error) {
	var d struct {
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		Userinfo      string `json:"userinfo_endpoint"`
		Introspection string `json:"introspection_endpoint"`
	}
	if err := c.GetJSON(ctx, "/.well-known/openid-configuration", &d); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	nr := *c.HTTP
	nr.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &OIDC{c: c, ClientID: clientID, Secret: secret, RedirectURI: redirectURI, Scope: scope,
		authorize: d.Authorization, token: d.Token, userinfo: d.Userinfo, intro: d.Introspection, noRedirects: &nr,
		fast: newFastClient(d.Userinfo)}, nil
}

// Tokens is a token endpoint answer.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
}

// Authorize runs the browser's part of an authorization for the session (a session token
// used as the browser's cookie): authorize, the sign-in step (consenting once if asked), the
// callback, and returns the code with its PKCE verifier. No password is typed.
func (o *OIDC) Authorize(ctx context.Context, sessionToken string) (code, verifier string, err error) {
	verifier = randomString()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {o.ClientID}, "redirect_uri": {o.RedirectURI}, "response_type": {"code"},
		"scope": {o.Scope}, "state": {randomString()}, "nonce": {randomString()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	next := o.authorize + "?" + q.Encode()
	for range 8 {
		if strings.HasPrefix(next, o.RedirectURI) {
			u, err := url.Parse(next)
			if err != nil || u.Query().Get("code") == "" {
				return "", "", fmt.Errorf("authorization ended without a code: %s", redactQuery(next))
			}
			return u.Query().Get("code"), verifier, nil
		}
		if next, err = o.step(ctx, next, sessionToken); err != nil {
			return "", "", err
		}
	}
	return "", "", errors.New("authorization did not come back to the redirect URI")
}

// step follows one hop of the authorization as a browser with the session cookie.
func (o *OIDC) step(ctx context.Context, target, sessionToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.abs(target), nil)
	if err != nil {
		return "", err
	}
	req.AddCookie(&http.Cookie{Name: "civis_session", Value: sessionToken})
	resp, err := o.noRedirects.Do(req)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && loc != "" {
		return loc, nil
	}
	if resp.StatusCode == http.StatusOK && strings.Contains(string(body), `name="decision"`) {
		return o.consent(ctx, req.URL.Query().Get("id"), sessionToken)
	}
	return "", fmt.Errorf("GET %s: %d", req.URL.Path, resp.StatusCode)
}

// consent approves the consent page once (the first authorization of an account).
func (o *OIDC) consent(ctx context.Context, id, sessionToken string) (string, error) {
	form := url.Values{"id": {id}, "decision": {"approve"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.c.BaseURL+"/oidc/consent", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "civis_session", Value: sessionToken})
	resp, err := o.noRedirects.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 3 {
		return "", fmt.Errorf("POST /oidc/consent: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location"), nil
}

func (o *OIDC) abs(u string) string {
	if strings.HasPrefix(u, "/") {
		return o.c.BaseURL + u
	}
	return u
}

// Exchange trades a code for tokens (client_secret_basic).
func (o *OIDC) Exchange(ctx context.Context, code, verifier string) (Tokens, error) {
	return o.tokenRequest(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {o.RedirectURI}, "code_verifier": {verifier}})
}

// Refresh rotates a refresh token.
func (o *OIDC) Refresh(ctx context.Context, refreshToken string) (Tokens, error) {
	return o.tokenRequest(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

func (o *OIDC) tokenRequest(ctx context.Context, form url.Values) (Tokens, error) {
	var t Tokens
	err := o.post(ctx, o.token, form, &t)
	if err == nil && t.AccessToken == "" {
		err = errors.New("token answer without access_token")
	}
	return t, err
}

func (o *OIDC) post(ctx context.Context, endpoint string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(o.ClientID), url.QueryEscape(o.Secret))
	return o.c.Do(req, out)
}

// Userinfo reads the userinfo endpoint with an access token; the answer must name a subject.
func (o *OIDC) Userinfo(ctx context.Context, accessToken string) error {
	var out struct {
		Sub string `json:"sub"`
	}
	var err error
	if o.fast.serves(o.userinfo) {
		err = o.fast.do(fasthttp.MethodGet, o.userinfo, func(r *fasthttp.Request) {
			r.Header.Set("Authorization", "Bearer "+accessToken)
		}, &out)
	} else {
		err = o.userinfoStd(ctx, accessToken, &out)
	}
	if err != nil {
		return err
	}
	if out.Sub == "" {
		return errors.New("userinfo without sub")
	}
	return nil
}

func (o *OIDC) userinfoStd(ctx context.Context, accessToken string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.userinfo, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	return o.c.Do(req, out)
}

// Introspect asks the introspection endpoint about an access token, which must be active.
func (o *OIDC) Introspect(ctx context.Context, accessToken string) error {
	var out struct {
		Active bool `json:"active"`
	}
	form := url.Values{"token": {accessToken}}
	var err error
	if o.fast.serves(o.intro) {
		err = o.fast.do(fasthttp.MethodPost, o.intro, func(r *fasthttp.Request) {
			r.Header.SetContentType("application/x-www-form-urlencoded")
			r.Header.Set("Authorization", "Basic "+basicCredentials(o.ClientID, o.Secret))
			r.SetBodyString(form.Encode())
		}, &out)
	} else {
		err = o.post(ctx, o.intro, form, &out)
	}
	if err != nil {
		return err
	}
	if !out.Active {
		return errors.New("introspection: token not active")
	}
	return nil
}

// basicCredentials is the client_secret_basic credential: both parts form-encoded (RFC 6749
// section 2.3.1), then base64, as net/http's SetBasicAuth is given them in post.
func basicCredentials(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

// SSORoundTrip is the scenario of a citizen already signed in to Civis arriving from a site:
// authorize → code → token, with no password.
func SSORoundTrip(o *OIDC, sessions []string) Scenario {
	var next atomic.Uint64
	return Scenario{Name: "sso_round_trip", Do: func(ctx context.Context, _ int) error {
		s := sessions[(next.Add(1)-1)%uint64(len(sessions))]
		code, verifier, err := o.Authorize(ctx, s)
		if err != nil {
			return err
		}
		_, err = o.Exchange(ctx, code, verifier)
		return err
	}}
}

// CodeExchange is the scenario of the token endpoint's code exchange alone, over codes made
// beforehand (each is good once: the run must stop at len(codes), see MaxRequests).
func CodeExchange(o *OIDC, codes [][2]string) Scenario {
	var next atomic.Uint64
	return Scenario{Name: "code_exchange", Do: func(ctx context.Context, _ int) error {
		i := next.Add(1) - 1
		if i >= uint64(len(codes)) {
			return errors.New("out of codes")
		}
		_, err := o.Exchange(ctx, codes[i][0], codes[i][1])
		return err
	}}
}

// RefreshGrant is the refresh-token scenario: each worker keeps one rotating family.
func RefreshGrant(o *OIDC, families []string) Scenario {
	var mu sync.Mutex
	current := append([]string(nil), families...)
	return Scenario{Name: "refresh", Do: func(ctx context.Context, w int) error {
		mu.Lock()
		rt := current[w%len(current)]
		mu.Unlock()
		t, err := o.Refresh(ctx, rt)
		if err != nil {
			return err
		}
		mu.Lock()
		current[w%len(current)] = t.RefreshToken
		mu.Unlock()
		return nil
	}}
}

// UserinfoScenario reads userinfo with a set of access tokens.
func UserinfoScenario(o *OIDC, tokens []string) Scenario {
	var next atomic.Uint64
	return Scenario{Name: "userinfo", Do: func(ctx context.Context, _ int) error {
		return o.Userinfo(ctx, tokens[(next.Add(1)-1)%uint64(len(tokens))])
	}}
}

// IntrospectionScenario introspects a set of access tokens.
func IntrospectionScenario(o *OIDC, tokens []string) Scenario {
	var next atomic.Uint64
	return Scenario{Name: "introspection", Do: func(ctx context.Context, _ int) error {
		return o.Introspect(ctx, tokens[(next.Add(1)-1)%uint64(len(tokens))])
	}}
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// redactQuery drops a URL's query (it may hold a code) for error messages.
func redactQuery(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
