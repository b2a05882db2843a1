// Command rp is a small relying party: a web site with a "Sign in with Civis" button. It is
// the example to copy when connecting a site to Civis over OpenID Connect, and it shows, in
// one place, everything a site must check:
//
//   - the authorization code flow with PKCE (S256), state and nonce;
//   - the RFC 9207 iss parameter of the authorization response;
//   - ID token verification (signature through the provider's JWKS, iss, aud, exp, nonce);
//   - userinfo, where Civis releases personal data (the ID token carries none);
//   - RP-initiated logout, and back-channel logout tokens from Civis.
//
// It uses only github.com/coreos/go-oidc/v3 and golang.org/x/oauth2. Sessions live in memory,
// which is enough for a demo; a real site keeps them in its own store.
//
// With a development Civis (civis serve --dev) running on 127.0.0.1:8080, run
//
//	go run ./examples/rp
//
// and open http://127.0.0.1:9090/. Every flag has an environment variable (in brackets).
package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config is what the site needs to know about itself and about Civis.
type Config struct {
	Issuer       string   // Civis's issuer URL; discovery is at Issuer + "/.well-known/openid-configuration"
	ClientID     string   // from `civis clients create`
	ClientSecret string   // shown once by `civis clients create`
	BaseURL      string   // this site's public URL; /callback and / must be registered at Civis
	Scopes       []string // "openid" plus the data scopes the site needs
	ACRValues    string   // optional acr_values, e.g. urn:civis:loa:standard
}

func main() {
	cfg, addr := Config{}, ""
	var scopes string
	flag.StringVar(&cfg.Issuer, "issuer", env("CIVIS_RP_ISSUER", "http://127.0.0.1:8080"), "Civis issuer URL [CIVIS_RP_ISSUER]")
	flag.StringVar(&cfg.ClientID, "client-id", env("CIVIS_RP_CLIENT_ID", "civis-demo"), "client id [CIVIS_RP_CLIENT_ID]")
	flag.StringVar(&cfg.ClientSecret, "client-secret", env("CIVIS_RP_CLIENT_SECRET", "civis-demo-secret"),
		"client secret; the default is the secret of the demo client of civis serve --dev [CIVIS_RP_CLIENT_SECRET]")
	flag.StringVar(&addr, "addr", env("CIVIS_RP_ADDR", "127.0.0.1:9090"), "listen address [CIVIS_RP_ADDR]")
	flag.StringVar(&cfg.BaseURL, "base-url", env("CIVIS_RP_BASE_URL", ""), "public URL of this site (default http://<addr>) [CIVIS_RP_BASE_URL]")
	flag.StringVar(&scopes, "scopes", env("CIVIS_RP_SCOPES", "openid fullname email mobile"), "scopes to ask for [CIVIS_RP_SCOPES]")
	flag.StringVar(&cfg.ACRValues, "acr", env("CIVIS_RP_ACR", ""), "acr_values to send, e.g. urn:civis:loa:standard [CIVIS_RP_ACR]")
	flag.Parse()
	cfg.Scopes = strings.Fields(scopes)
	if !slices.Contains(cfg.Scopes, gooidc.ScopeOpenID) {
		cfg.Scopes = append([]string{gooidc.ScopeOpenID}, cfg.Scopes...) // no ID token without it
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + addr
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	s, err := discover(ctx, cfg, log)
	cancel()
	if err != nil {
		log.Error("cannot reach Civis", "issuer", cfg.Issuer, "err", err)
		os.Exit(1)
	}
	log.Info("example site ready", "url", cfg.BaseURL+"/", "issuer", cfg.Issuer, "client_id", cfg.ClientID)
	srv := &http.Server{Addr: addr, Handler: s.Routes(), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// discover waits for Civis to answer discovery (it may still be starting) and builds the site.
func discover(ctx context.Context, cfg Config, log *slog.Logger) (*Site, error) {
	for {
		s, err := NewSite(ctx, cfg)
		if err == nil || ctx.Err() != nil {
			return s, err
		}
		log.Info("waiting for Civis", "issuer", cfg.Issuer, "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(2 * time.Second):
		}
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// Site is the relying party.
type Site struct {
	cfg        Config
	oauth      oauth2.Config
	verifier   *gooidc.IDTokenVerifier // ID tokens and logout tokens
	provider   *gooidc.Provider
	endSession string // end_session_endpoint
	issParam   bool   // the provider promises the iss parameter (RFC 9207)
	secure     bool   // BaseURL is https: cookies get the Secure flag

	mu       sync.Mutex
	sessions map[string]*Session // by the value of the session cookie
}

// Session is what the site remembers about a signed-in visitor.
type Session struct {
	IDToken  string         // raw, for id_token_hint at logout
	Subject  string         // sub
	SID      string         // Civis session id, the key of back-channel logout
	IDClaims map[string]any // the ID token's claims
	UserInfo map[string]any // the userinfo claims
	Expires  time.Time
}

const (
	loginCookie   = "rp_login"   // state, nonce and PKCE verifier of a sign-in in progress
	logoutCookie  = "rp_logout"  // state of a logout in progress
	sessionCookie = "rp_session" // random key of a Session
	loginTTL      = 10 * time.Minute
	sessionTTL    = 8 * time.Hour
)

// NewSite reads Civis's discovery document and prepares the OAuth client and the verifier.
func NewSite(ctx context.Context, cfg Config) (*Site, error) {
	p, err := gooidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
		IssParam   bool   `json:"authorization_response_iss_parameter_supported"`
	}
	if err := p.Claims(&extra); err != nil {
		return nil, err
	}
	s := &Site{
		cfg: cfg, provider: p, endSession: extra.EndSession, issParam: extra.IssParam,
		secure: strings.HasPrefix(cfg.BaseURL, "https://"), sessions: map[string]*Session{},
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
			RedirectURL: cfg.BaseURL + "/callback", Scopes: cfg.Scopes},
		// The verifier fetches the provider's JWKS (jwks_uri) through a go-oidc RemoteKeySet,
		// which refreshes it when a token names an unknown key (key rotation). It checks the
		// signature, iss, aud = our client id and exp (SkipExpiryCheck stays false).
		verifier: p.VerifierContext(context.WithoutCancel(ctx), &gooidc.Config{ClientID: cfg.ClientID}),
	}
	return s, nil
}

// Routes returns the site's handler.
func (s *Site) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.login)
	mux.HandleFunc("GET /callback", s.callback)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /backchannel-logout", s.backchannelLogout)
	return mux
}

// home shows the sign-in button, or what Civis told us about the signed-in visitor.
func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	data := homeData{Issuer: s.cfg.Issuer, Session: s.session(r)}
	// After RP-initiated logout Civis sends the browser back here with our state.
	if st := r.URL.Query().Get("state"); st != "" {
		if c, err := r.Cookie(logoutCookie); err == nil && equal(c.Value, st) {
			data.SignedOut = true
			s.clearCookie(w, logoutCookie)
		}
	}
	render(w, http.StatusOK, homePage, data)
}

// login starts the authorization code flow. state (against CSRF), nonce (binds the ID token
// to this browser) and the PKCE verifier stay in a short-lived HttpOnly cookie; only the
// S256 challenge of the verifier goes to Civis.
func (s *Site) login(w http.ResponseWriter, r *http.Request) {
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: state + "." + nonce + "." + verifier, Path: "/",
		MaxAge: int(loginTTL.Seconds()), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	opts := []oauth2.AuthCodeOption{gooidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if s.cfg.ACRValues != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", s.cfg.ACRValues))
	}
	http.Redirect(w, r, s.oauth.AuthCodeURL(state, opts...), http.StatusFound)
}

// callback receives the authorization response: it checks state and iss, then either shows
// the error or exchanges the code, verifies the ID token, reads userinfo and starts a session.
func (s *Site) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := r.Cookie(loginCookie)
	parts := []string{}
	if err == nil {
		parts = strings.Split(c.Value, ".")
	}
	if len(parts) != 3 {
		s.fail(w, http.StatusBadRequest, "This sign-in has expired or was started in another browser. Please sign in again.", "")
		return
	}
	s.clearCookie(w, loginCookie) // one use
	state, nonce, verifier := parts[0], parts[1], parts[2]
	if !equal(q.Get("state"), state) {
		s.fail(w, http.StatusBadRequest, "The answer from Civis does not belong to the sign-in this browser started (state mismatch).", "")
		return
	}
	// RFC 9207: the answer must name the provider we sent the browser to. Civis always sends
	// iss, so a missing one is refused as well (a mix-up attack would come without it).
	if iss, ok := q["iss"]; (ok || s.issParam) && (len(iss) != 1 || iss[0] != s.cfg.Issuer) {
		s.fail(w, http.StatusBadRequest, "The answer did not come from the expected identity provider (iss mismatch).", "")
		return
	}
	if code := q.Get("error"); code != "" {
		s.fail(w, http.StatusOK, explain(code), q.Get("error_description"))
		return
	}

	ctx := r.Context()
	tok, err := s.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		s.fail(w, http.StatusBadGateway, "Civis did not accept the sign-in code.", err.Error())
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		s.fail(w, http.StatusBadGateway, "The ID token from Civis is not valid.", err.Error())
		return
	}
	if !equal(idt.Nonce, nonce) {
		s.fail(w, http.StatusBadRequest, "The ID token was not issued for this sign-in (nonce mismatch).", "")
		return
	}
	ui, err := s.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		s.fail(w, http.StatusBadGateway, "Civis did not answer the userinfo request.", err.Error())
		return
	}
	if ui.Subject != idt.Subject { // OpenID Connect Core 5.3.2
		s.fail(w, http.StatusBadGateway, "Userinfo is about another person than the ID token.", "")
		return
	}
	sess := &Session{IDToken: raw, Subject: idt.Subject, Expires: time.Now().Add(sessionTTL)}
	if err := idt.Claims(&sess.IDClaims); err != nil {
		s.fail(w, http.StatusBadGateway, "The ID token cannot be read.", err.Error())
		return
	}
	if err := ui.Claims(&sess.UserInfo); err != nil {
		s.fail(w, http.StatusBadGateway, "The userinfo answer cannot be read.", err.Error())
		return
	}
	sess.SID, _ = sess.IDClaims["sid"].(string)

	key := random()
	s.mu.Lock()
	s.sessions[key] = sess
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: key, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout forgets the local session and sends the browser to Civis's end_session_endpoint,
// which ends the Civis session (and so every site's, through back-channel logout) and comes
// back to our registered post-logout URI with our state.
func (s *Site) logout(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r)
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	s.clearCookie(w, sessionCookie)
	if sess == nil || s.endSession == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	state := random()
	http.SetCookie(w, &http.Cookie{Name: logoutCookie, Value: state, Path: "/", MaxAge: int(loginTTL.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	q := url.Values{"id_token_hint": {sess.IDToken}, "client_id": {s.cfg.ClientID},
		"post_logout_redirect_uri": {s.cfg.BaseURL + "/"}, "state": {state}}
	http.Redirect(w, r, s.endSession+"?"+q.Encode(), http.StatusSeeOther)
}

// backchannelLogout receives a logout token from Civis (OpenID Connect Back-Channel Logout
// 1.0) when a citizen's Civis session ends, and forgets the sessions it started here.
// Answers: 200 done; 400 the token is not valid (Civis does not retry); 503 the keys could
// not be fetched (Civis retries later).
func (s *Site) backchannelLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	lt, err := s.verifyLogoutToken(r.Context(), r.PostFormValue("logout_token"))
	if err != nil {
		status := http.StatusBadRequest
		if strings.Contains(err.Error(), "fetching keys") {
			status = http.StatusServiceUnavailable
		}
		slog.Warn("back-channel logout refused", "err", err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	n := s.forget(lt.SessionID, lt.Subject)
	slog.Info("back-channel logout", "sid", lt.SessionID, "sessions_ended", n)
	w.WriteHeader(http.StatusOK)
}

// verifyLogoutToken checks a logout token: signature through the provider's JWKS, iss, aud,
// exp, jti, the back-channel logout event, no nonce (so that an ID token cannot be replayed
// as a logout token) — go-oidc's VerifyLogout does all of that — and that sid is present,
// because Civis always sends it and this site keys its sessions by it.
func (s *Site) verifyLogoutToken(ctx context.Context, raw string) (*gooidc.LogoutToken, error) {
	if raw == "" {
		return nil, errors.New("no logout_token")
	}
	lt, err := s.verifier.VerifyLogout(ctx, raw)
	if err != nil {
		return nil, err
	}
	if lt.SessionID == "" {
		return nil, errors.New("logout token without sid")
	}
	return lt, nil
}

// forget ends the sessions of a Civis session (and subject, when given); it returns how many.
func (s *Site) forget(sid, sub string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, sess := range s.sessions {
		if sess.SID == sid && (sub == "" || sess.Subject == sub) {
			delete(s.sessions, k)
			n++
		}
	}
	return n
}

// session returns the visitor's live session, or nil.
func (s *Site) session(r *http.Request) *Session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[c.Value]
	if sess != nil && time.Now().After(sess.Expires) {
		delete(s.sessions, c.Value)
		return nil
	}
	return sess
}

func (s *Site) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode})
}

func (s *Site) fail(w http.ResponseWriter, status int, message, detail string) {
	render(w, status, errorPage, errorData{Message: message, Detail: detail})
}

// explain says an OAuth error code of the authorization response in plain words.
func explain(code string) string {
	switch code {
	case "access_denied":
		return "You cancelled the sign-in, or did not allow Civis to share the data this site asks for."
	case "unmet_authentication_requirements":
		return "Your Civis account does not have the level this site requires (for example, it needs a confirmed " +
			"account, or does not accept the way your account was confirmed). Raise your account's level in Civis and try again."
	case "login_required", "interaction_required":
		return "You are not signed in to Civis."
	case "consent_required":
		return "You have not yet allowed this site to read your data in Civis."
	case "invalid_scope":
		return "This site asked Civis for data it is not registered for."
	case "temporarily_unavailable", "server_error":
		return "Civis could not complete the sign-in right now. Please try again later."
	}
	return "Civis refused the sign-in request (" + code + ")."
}

// random is 128 bits from crypto/rand, base64url.
func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func equal(a, b string) bool { return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// Pages.

type homeData struct {
	Issuer    string
	Session   *Session
	SignedOut bool
}

type errorData struct{ Message, Detail string }

type row struct{ Name, Value string }

// rows lists claims sorted by name, with non-string values as JSON.
func rows(claims map[string]any) []row {
	out := make([]row, 0, len(claims))
	for _, k := range slices.Sorted(maps.Keys(claims)) {
		v, ok := claims[k].(string)
		if !ok {
			b, _ := json.Marshal(claims[k])
			v = string(b)
		}
		out = append(out, row{k, v})
	}
	return out
}

func render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := t.Execute(w, data); err != nil {
		slog.Error("render", "err", err)
	}
}

const layout = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Example site</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
td:first-child{white-space:nowrap;font-family:monospace}td+td{word-break:break-all}
button{font-size:1rem;padding:.5rem 1.2rem;cursor:pointer}.note{color:#555}</style></head><body>
<h1>Example site</h1>{{template "body" .}}</body></html>`

var homePage = template.Must(template.Must(template.New("home").Funcs(template.FuncMap{"rows": rows}).Parse(layout)).Parse(
	`{{define "body"}}{{if .SignedOut}}<p><strong>You have signed out of this site and of Civis.</strong></p>{{end}}
{{with .Session}}
<p>You are signed in. Civis calls you <code>{{.Subject}}</code> here.</p>
<form method="post" action="/logout"><button>Sign out</button></form>
<h2>ID token claims</h2>
<p class="note">Who you are to this site and how you signed in; no personal data.</p>
<table>{{range rows .IDClaims}}<tr><td>{{.Name}}</td><td>{{.Value}}</td></tr>{{end}}</table>
<h2>Userinfo claims</h2>
<p class="note">The personal data you allowed this site to read.</p>
<table>{{range rows .UserInfo}}<tr><td>{{.Name}}</td><td>{{.Value}}</td></tr>{{end}}</table>
{{else}}
<p>This site lets you in with your Civis account at <code>{{.Issuer}}</code>.</p>
<form method="get" action="/login"><button>Sign in with Civis</button></form>
{{end}}{{end}}`))

var errorPage = template.Must(template.Must(template.New("error").Parse(layout)).Parse(
	`{{define "body"}}<h2>Sign-in did not succeed</h2><p>{{.Message}}</p>
{{with .Detail}}<p class="note">Details: {{.}}</p>{{end}}
<p><a href="/">Back to the site</a></p>{{end}}`))
