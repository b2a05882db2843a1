package oidc_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
)

const password = "Zebra-Castle-42"

// citizen registers an account through the flow service and returns its session.
func citizen(t testing.TB, env *apptest.Env, phone string) *session.Session {
	t.Helper()
	ctx := context.Background()
	f := env.App.Flows
	reg, err := f.StartRegistration(ctx, flow.RegistrationInput{LastName: "Смирнова", FirstName: "Ольга", Phone: phone}, flow.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ConfirmContact(ctx, reg.ID, "phone", env.Code(phone), flow.Meta{}); err != nil {
		t.Fatal(err)
	}
	signed, err := f.SetPassword(ctx, reg.ID, password, flow.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return signed.Session
}

// relyingParty is a test RP: a registered client, its own callback server (which records
// logout tokens), and standard libraries configured from discovery alone.
type relyingParty struct {
	t        testing.TB
	env      *apptest.Env
	client   *rp.Client
	secret   string
	srv      *httptest.Server
	provider *gooidc.Provider
	cfg      oauth2.Config
	mu       sync.Mutex
	logouts  []string
}

func newRP(t testing.TB, env *apptest.Env, in rp.Input) *relyingParty {
	t.Helper()
	x := &relyingParty{t: t, env: env}
	x.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/backchannel" {
			_ = r.ParseForm()
			x.mu.Lock()
			x.logouts = append(x.logouts, r.PostForm.Get("logout_token"))
			x.mu.Unlock()
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(x.srv.Close)
	if in.Name == "" {
		in.Name = "Test site"
	}
	in.RedirectURIs = []string{x.srv.URL + "/callback"}
	in.PostLogoutRedirectURIs = []string{x.srv.URL + "/bye"}
	in.BackchannelLogoutURI = x.srv.URL + "/backchannel"
	c, secret, err := env.App.Clients.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	x.client, x.secret = c, secret
	x.provider, err = gooidc.NewProvider(context.Background(), env.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	x.cfg = oauth2.Config{ClientID: c.ID, ClientSecret: secret, Endpoint: x.provider.Endpoint(),
		RedirectURL: in.RedirectURIs[0], Scopes: append([]string{gooidc.ScopeOpenID}, in.Scopes...)}
	return x
}

// noRedirects is a client that reports redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout: 10 * time.Second}

// authorize runs an authorization for sess up to the redirect back to the RP and returns
// that redirect's query. step lets a test see each interaction step; by default consent is
// given and every redirect is followed.
func (x *relyingParty) authorize(sess *session.Session, extra ...oauth2.AuthCodeOption) (url.Values, string) {
	x.t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{gooidc.Nonce("n-123"), oauth2.S256ChallengeOption(verifier)}, extra...)
	loc := x.get(x.cfg.AuthCodeURL("st-1", opts...))
	for range 10 {
		u, _ := url.Parse(loc)
		switch {
		case strings.HasPrefix(loc, x.srv.URL):
			return u.Query(), verifier
		case u.Path == oidc.PathLogin:
			step, err := x.env.App.OIDC.Next(context.Background(), u.Query().Get("id"), sess)
			if err != nil {
				x.t.Fatalf("Next: %v", err)
			}
			switch step.Kind {
			case oidc.StepConsent:
				step, err = x.env.App.OIDC.Approve(context.Background(), u.Query().Get("id"), sess)
			case oidc.StepRefuse:
				step, err = x.env.App.OIDC.Cancel(context.Background(), u.Query().Get("id"), "unmet_authentication_requirements")
			case oidc.StepLogin:
				x.t.Fatalf("asked to sign in with a live session")
			}
			if err != nil {
				x.t.Fatal(err)
			}
			loc = step.Redirect
		default:
			loc = x.get(loc)
		}
	}
	x.t.Fatalf("authorization did not come back to the RP")
	return nil, ""
}

func (x *relyingParty) get(u string) string {
	x.t.Helper()
	resp, err := noRedirects.Get(u)
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		x.t.Fatalf("GET %s = %d %s", u, resp.StatusCode, body)
	}
	return resp.Header.Get("Location")
}

// exchange trades a code for tokens and verifies the ID token with go-oidc.
func (x *relyingParty) exchange(q url.Values, verifier string) (*oauth2.Token, *gooidc.IDToken, map[string]any) {
	x.t.Helper()
	if q.Get("state") != "st-1" || q.Get("iss") != x.env.URL {
		x.t.Fatalf("authorization response state=%q iss=%q", q.Get("state"), q.Get("iss"))
	}
	tok, err := x.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		x.t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := x.provider.Verifier(&gooidc.Config{ClientID: x.client.ID}).Verify(context.Background(), raw)
	if err != nil {
		x.t.Fatalf("verify id token: %v", err)
	}
	var claims map[string]any
	_ = idt.Claims(&claims)
	return tok, idt, claims
}

func (x *relyingParty) logoutTokens() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.logouts...)
}

// postForm calls a protocol endpoint with the client's basic credentials.
func (x *relyingParty) postForm(endpoint string, form url.Values) (int, map[string]any) {
	x.t.Helper()
	req, _ := http.NewRequest("POST", endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if x.secret != "" || form.Get("client_assertion") == "" {
		req.SetBasicAuth(url.QueryEscape(x.client.ID), url.QueryEscape(x.secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func randomState() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
