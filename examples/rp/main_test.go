package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) // refused tokens are logged
	m.Run()
}

// fakeCivis is just enough of an OpenID provider for the site: discovery, keys, token and
// userinfo, signing with an ES256 key as Civis does.
type fakeCivis struct {
	srv *httptest.Server
	key *ecdsa.PrivateKey

	mu        sync.Mutex
	nonce     string // what the next ID token carries
	challenge string // the PKCE challenge the site sent
}

const (
	kid      = "k1"
	clientID = "civis-demo"
	secret   = "civis-demo-secret"
)

func newFakeCivis(t *testing.T) *fakeCivis {
	t.Helper()
	f := &fakeCivis{key: newKey(t)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		u := f.srv.URL
		writeJSON(w, map[string]any{"issuer": u, "authorization_endpoint": u + "/oidc/authorize",
			"token_endpoint": u + "/oidc/token", "userinfo_endpoint": u + "/oidc/userinfo", "jwks_uri": u + "/oidc/keys",
			"end_session_endpoint": u + "/oidc/end_session", "id_token_signing_alg_values_supported": []string{"ES256"},
			"authorization_response_iss_parameter_supported": true})
	})
	mux.HandleFunc("GET /oidc/keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /oidc/token", func(w http.ResponseWriter, r *http.Request) {
		id, sec, _ := r.BasicAuth()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		f.mu.Lock()
		nonce, challenge := f.nonce, f.challenge
		f.mu.Unlock()
		if id != clientID || sec != secret || r.PostFormValue("code") != "good-code" ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"error": "invalid_grant"})
			return
		}
		now := time.Now()
		idt := sign(t, f.key, kid, "JWT", map[string]any{"iss": f.srv.URL, "aud": clientID, "sub": "sub-1", "sid": "sid-1",
			"nonce": nonce, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "acr": "urn:civis:loa:simplified",
			"amr": []string{"pwd"}, "aal": "urn:civis:aal:1", "trusted": false})
		writeJSON(w, map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 900, "id_token": idt})
	})
	mux.HandleFunc("GET /oidc/userinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer at-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		writeJSON(w, map[string]any{"sub": "sub-1", "family_name": "Smirnova", "given_name": "Olga"})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t *testing.T, key *ecdsa.PrivateKey, kid, typ string, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func newTestSite(t *testing.T, f *fakeCivis) *Site {
	t.Helper()
	s, err := NewSite(context.Background(), Config{Issuer: f.srv.URL, ClientID: clientID, ClientSecret: secret,
		BaseURL: "http://rp.test", Scopes: []string{"openid", "fullname"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// do sends a request to the site with cookies and returns the response.
func do(s *Site, method, target string, body url.Values, cookies ...*http.Cookie) *http.Response {
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(body.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.Routes().ServeHTTP(w, r)
	return w.Result()
}

func cookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name && c.MaxAge >= 0 {
			return c
		}
	}
	return nil
}

func bodyOf(resp *http.Response) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func TestLoginSendsPKCEStateNonce(t *testing.T) {
	f := newFakeCivis(t)
	s := newTestSite(t, f)
	resp := do(s, "GET", "/login", nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	c := cookie(resp, loginCookie)
	if resp.StatusCode != http.StatusFound || c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("login = %d, cookie %+v", resp.StatusCode, c)
	}
	for k, want := range map[string]string{"client_id": clientID, "response_type": "code", "scope": "openid fullname",
		"redirect_uri": "http://rp.test/callback", "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if parts := strings.Split(c.Value, "."); len(parts) != 3 || parts[0] != q.Get("state") || parts[1] != q.Get("nonce") ||
		q.Get("code_challenge") == "" || strings.Contains(loc.String(), parts[2]) {
		t.Errorf("cookie %q does not match the request %v (or the verifier leaked)", c.Value, q)
	}
}

func TestCallback(t *testing.T) {
	f := newFakeCivis(t)
	s := newTestSite(t, f)

	// start begins a sign-in and returns its cookie and state; the fake provider will put
	// nonce in the ID token (the right one unless a test says otherwise).
	start := func(nonce string) (*http.Cookie, string) {
		resp := do(s, "GET", "/login", nil)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		f.mu.Lock()
		f.nonce, f.challenge = loc.Query().Get("nonce"), loc.Query().Get("code_challenge")
		if nonce != "" {
			f.nonce = nonce
		}
		f.mu.Unlock()
		return cookie(resp, loginCookie), loc.Query().Get("state")
	}
	callback := func(c *http.Cookie, q url.Values) *http.Response {
		if c == nil {
			return do(s, "GET", "/callback?"+q.Encode(), nil)
		}
		return do(s, "GET", "/callback?"+q.Encode(), nil, c)
	}

	t.Run("refused", func(t *testing.T) {
		for name, tc := range map[string]struct {
			noCookie bool
			q        func(state string) url.Values
			nonce    string
			want     string
		}{
			"no cookie": {noCookie: true, q: func(st string) url.Values {
				return url.Values{"code": {"good-code"}, "state": {st}, "iss": {f.srv.URL}}
			}, want: "expired"},
			"wrong state": {q: func(string) url.Values {
				return url.Values{"code": {"good-code"}, "state": {"forged"}, "iss": {f.srv.URL}}
			}, want: "state mismatch"},
			"no state": {q: func(string) url.Values {
				return url.Values{"code": {"good-code"}, "iss": {f.srv.URL}}
			}, want: "state mismatch"},
			"no iss": {q: func(st string) url.Values {
				return url.Values{"code": {"good-code"}, "state": {st}}
			}, want: "iss mismatch"},
			"wrong iss": {q: func(st string) url.Values {
				return url.Values{"code": {"good-code"}, "state": {st}, "iss": {"https://evil.example"}}
			}, want: "iss mismatch"},
			"error without iss": {q: func(st string) url.Values {
				return url.Values{"error": {"access_denied"}, "state": {st}}
			}, want: "iss mismatch"},
			"nonce from another sign-in": {q: func(st string) url.Values {
				return url.Values{"code": {"good-code"}, "state": {st}, "iss": {f.srv.URL}}
			}, nonce: "other", want: "nonce mismatch"},
		} {
			t.Run(name, func(t *testing.T) {
				c, st := start(tc.nonce)
				if tc.noCookie {
					c = nil
				}
				resp := callback(c, tc.q(st))
				if body := bodyOf(resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
					t.Errorf("callback = %d %s, want 400 with %q", resp.StatusCode, body, tc.want)
				}
				if cookie(resp, sessionCookie) != nil {
					t.Error("a refused callback started a session")
				}
			})
		}
	})

	t.Run("error in plain words", func(t *testing.T) {
		c, st := start("")
		resp := callback(c, url.Values{"error": {"unmet_authentication_requirements"},
			"error_description": {"level_too_low"}, "state": {st}, "iss": {f.srv.URL}})
		body := bodyOf(resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "does not have the level this site requires") ||
			!strings.Contains(body, "level_too_low") {
			t.Errorf("error page = %d %s", resp.StatusCode, body)
		}
	})

	t.Run("success", func(t *testing.T) {
		c, st := start("")
		resp := callback(c, url.Values{"code": {"good-code"}, "state": {st}, "iss": {f.srv.URL}})
		sc := cookie(resp, sessionCookie)
		if resp.StatusCode != http.StatusSeeOther || sc == nil || !sc.HttpOnly {
			t.Fatalf("callback = %d %s", resp.StatusCode, bodyOf(resp))
		}
		home := bodyOf(do(s, "GET", "/", nil, sc))
		for _, want := range []string{"ID token claims", "urn:civis:loa:simplified", "sid-1", "Userinfo claims", "Smirnova", "Sign out"} {
			if !strings.Contains(home, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
		// The code is single-use at the site too: replaying the response without the
		// (cleared) login cookie is refused.
		if resp := callback(nil, url.Values{"code": {"good-code"}, "state": {st}, "iss": {f.srv.URL}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("replayed callback = %d", resp.StatusCode)
		}

		// Sign out: RP-initiated logout to the end_session_endpoint.
		resp = do(s, "POST", "/logout", url.Values{}, sc)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		q := loc.Query()
		if resp.StatusCode != http.StatusSeeOther || loc.Path != "/oidc/end_session" || q.Get("id_token_hint") == "" ||
			q.Get("post_logout_redirect_uri") != "http://rp.test/" || q.Get("state") == "" {
			t.Errorf("logout = %d %s", resp.StatusCode, loc)
		}
		if home := bodyOf(do(s, "GET", "/", nil, sc)); !strings.Contains(home, "Sign in with Civis") {
			t.Error("still signed in after logout")
		}
		back := do(s, "GET", "/?state="+q.Get("state"), nil, cookie(resp, logoutCookie))
		if !strings.Contains(bodyOf(back), "You have signed out") {
			t.Error("the page after logout does not say so")
		}
	})
}

func TestBackchannelLogout(t *testing.T) {
	f := newFakeCivis(t)
	s := newTestSite(t, f)
	other := newKey(t)
	valid := func() map[string]any {
		now := time.Now()
		return map[string]any{"iss": f.srv.URL, "aud": clientID, "sub": "sub-1", "sid": "sid-1", "iat": now.Unix(),
			"exp": now.Add(2 * time.Minute).Unix(), "jti": "j-1",
			"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}
	}
	seed := func() {
		s.mu.Lock()
		s.sessions = map[string]*Session{
			"a": {Subject: "sub-1", SID: "sid-1", Expires: time.Now().Add(time.Hour)},
			"b": {Subject: "sub-1", SID: "sid-1", Expires: time.Now().Add(time.Hour)}, // a second browser tab's sign-in
			"c": {Subject: "sub-1", SID: "sid-2", Expires: time.Now().Add(time.Hour)}, // another Civis session
		}
		s.mu.Unlock()
	}
	left := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.sessions)
	}
	post := func(token string) *http.Response {
		return do(s, "POST", "/backchannel-logout", url.Values{"logout_token": {token}})
	}

	for name, tc := range map[string]struct {
		key    *ecdsa.PrivateKey
		change func(map[string]any)
	}{
		"signed by another key": {key: other},
		"wrong issuer":          {change: func(c map[string]any) { c["iss"] = "https://evil.example" }},
		"another audience":      {change: func(c map[string]any) { c["aud"] = "someone-else" }},
		"expired":               {change: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }},
		"no events":             {change: func(c map[string]any) { delete(c, "events") }},
		"other event":           {change: func(c map[string]any) { c["events"] = map[string]any{"urn:other": map[string]any{}} }},
		"nonce (an ID token)":   {change: func(c map[string]any) { c["nonce"] = "n" }},
		"no sid":                {change: func(c map[string]any) { delete(c, "sid") }},
		"no jti":                {change: func(c map[string]any) { delete(c, "jti") }},
	} {
		t.Run(name, func(t *testing.T) {
			seed()
			claims, key := valid(), f.key
			if tc.change != nil {
				tc.change(claims)
			}
			if tc.key != nil {
				key = tc.key
			}
			resp := post(sign(t, key, kid, "logout+jwt", claims))
			if resp.StatusCode != http.StatusBadRequest || left() != 3 {
				t.Errorf("status %d, %d sessions left; want 400 and 3", resp.StatusCode, left())
			}
		})
	}
	t.Run("not a token", func(t *testing.T) {
		if resp := post("garbage"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d", resp.StatusCode)
		}
		if resp := post(""); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("empty: status %d", resp.StatusCode)
		}
	})
	t.Run("valid", func(t *testing.T) {
		seed()
		resp := post(sign(t, f.key, kid, "logout+jwt", valid()))
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("status %d", resp.StatusCode)
		}
		s.mu.Lock()
		_, kept := s.sessions["c"]
		s.mu.Unlock()
		if left() != 1 || !kept {
			t.Errorf("sessions left: %d (want only the other Civis session's)", left())
		}
		// Civis retries until it gets 200: a repeated token is answered 200 again.
		if resp := post(sign(t, f.key, kid, "logout+jwt", valid())); resp.StatusCode != http.StatusOK {
			t.Errorf("repeated token: status %d", resp.StatusCode)
		}
	})
}
