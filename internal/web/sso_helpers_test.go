package web_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// site is a relying party for the page tests: a registered client whose redirect, logout
// and front-channel URIs lead to a small server that answers "ok" and records what it got.
type site struct {
	t        testing.TB
	env      *apptest.Env
	client   *rp.Client
	secret   string
	srv      *httptest.Server
	redirect string

	mu   sync.Mutex
	hits []string // paths with queries the server was asked for
}

// newSite registers a client from in; the URIs are filled in, the name and scopes default.
func newSite(t testing.TB, env *apptest.Env, in rp.Input) *site {
	t.Helper()
	s := &site{t: t, env: env}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.URL.RequestURI())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.srv.Close)
	if in.Name == "" {
		in.Name = "Портал услуг"
	}
	if in.Scopes == nil {
		in.Scopes = []string{"openid", "fullname", "email"}
	}
	s.redirect = s.srv.URL + "/callback"
	in.RedirectURIs = []string{s.redirect}
	in.PostLogoutRedirectURIs = []string{s.srv.URL + "/bye"}
	in.FrontchannelLogoutURI = s.srv.URL + "/frontchannel"
	in.Dev = true
	c, secret, err := env.App.Clients.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	s.client, s.secret = c, secret
	return s
}

// authorizeURL builds an authorization request for scopes (state xyz, PKCE S256) with extra
// parameters, and returns it with its code verifier.
func (s *site) authorizeURL(scopes string, extra url.Values) (string, string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id": {s.client.ID}, "redirect_uri": {s.redirect}, "response_type": {"code"},
		"scope": {scopes}, "state": {"xyz"}, "nonce": {"n"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		q[k] = v
	}
	return s.env.URL + "/oidc/authorize?" + q.Encode(), verifier
}

// callback checks that res redirects to the site's redirect URI and returns its query.
func (s *site) callback(res response) url.Values {
	s.t.Helper()
	loc := res.location()
	if res.status/100 != 3 || !strings.HasPrefix(loc, s.redirect+"?") {
		s.t.Fatalf("got %d to %q, want a redirect to %s\n%s", res.status, loc, s.redirect, res.body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.Query()
}

// checkCode checks a successful authorization response.
func (s *site) checkCode(q url.Values) {
	s.t.Helper()
	if q.Get("code") == "" || q.Get("state") != "xyz" || q.Get("iss") != s.env.URL {
		s.t.Errorf("authorization response %v: want a code, state=xyz and iss=%s", q, s.env.URL)
	}
}

// checkError checks an authorization error response.
func (s *site) checkError(q url.Values, code string) {
	s.t.Helper()
	if q.Get("error") != code || q.Get("state") != "xyz" || q.Get("code") != "" || q.Get("iss") != s.env.URL {
		s.t.Errorf("authorization response %v: want error=%s with state=xyz and iss", q, code)
	}
}

// exchange trades a code for tokens at the token endpoint and reads the userinfo, as a site
// does; it returns the access token.
func (s *site) exchange(code, verifier string) string {
	s.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {s.redirect},
		"code_verifier": {verifier}}
	req, _ := http.NewRequest(http.MethodPost, s.env.URL+"/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(s.client.ID), url.QueryEscape(s.secret))
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	s.call(req, &tok)
	if tok.AccessToken == "" || tok.IDToken == "" {
		s.t.Fatalf("token response without tokens: %+v", tok)
	}
	req, _ = http.NewRequest(http.MethodGet, s.env.URL+"/oidc/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	var info map[string]any
	s.call(req, &info)
	if info["family_name"] == nil || info["email"] == nil {
		s.t.Errorf("userinfo %v lacks the consented data", info)
	}
	return tok.AccessToken
}

func (s *site) call(req *http.Request, out any) {
	s.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
}

// got returns the requests the site's server received for path.
func (s *site) got(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, h := range s.hits {
		if h == path || strings.HasPrefix(h, path+"?") {
			out = append(out, h)
		}
	}
	return out
}

// getURL requests an absolute URL or a path on Civis.
func (c *client) getURL(u string) response {
	c.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = c.base + u
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// follow requests u and follows redirects as long as they stay on Civis. It returns the
// first answer that is not such a redirect (a page, or the redirect back to the site) and
// the URL that gave it.
func (c *client) follow(u string) (response, string) {
	c.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = c.base + u
	}
	for range 10 {
		res := c.getURL(u)
		loc := res.location()
		if res.status/100 != 3 || loc == "" {
			return res, u
		}
		next, err := url.Parse(u)
		if err != nil {
			c.t.Fatal(err)
		}
		ref, err := next.Parse(loc)
		if err != nil {
			c.t.Fatal(err)
		}
		if !strings.HasPrefix(ref.String(), c.base+"/") {
			return res, u
		}
		u = ref.String()
	}
	c.t.Fatalf("too many redirects from %s", u)
	return response{}, ""
}

// authID returns the authorization id of a /login?auth_request= or /oidc/login?id= URL.
func authID(t testing.TB, u string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if id := p.Query().Get("auth_request"); id != "" {
		return id
	}
	if id := p.Query().Get("id"); id != "" {
		return id
	}
	t.Fatalf("no authorization id in %s", u)
	return ""
}
