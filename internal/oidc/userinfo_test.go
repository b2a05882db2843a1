package oidc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// TestUserinfoEndpointAsRFC6750Says: the token by header or form body, every refusal a 401
// with a Bearer challenge, nothing cached, other methods refused, and browsers allowed to
// read it with the token as the only credential.
func TestUserinfoEndpointAsRFC6750Says(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161110031")
	x := newRP(t, env, rp.Input{Scopes: []string{"fullname"}})
	q, v := x.authorize(sess)
	tok, _, _ := x.exchange(q, v)
	endpoint := env.URL + "/oidc/userinfo"

	send := func(method, auth string, form url.Values, header ...string) (*http.Response, map[string]any) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, endpoint, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}

	resp, out := send("GET", "Bearer "+tok.AccessToken, nil)
	if resp.StatusCode != 200 || out["sub"] != sess.AccountID || out["family_name"] == nil ||
		resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET with the header = %d %v %v", resp.StatusCode, resp.Header, out)
	}
	if resp, out := send("POST", "", url.Values{"access_token": {tok.AccessToken}}); resp.StatusCode != 200 || out["sub"] != sess.AccountID {
		t.Errorf("POST with access_token in the body = %d %v", resp.StatusCode, out)
	}

	if resp, _ := send("GET", "", nil); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("no token = %d %q, want 401 and a bare Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	for name, auth := range map[string]string{
		"malformed": "Bearer not-a-token",
		"tampered":  "Bearer " + tok.AccessToken[:len(tok.AccessToken)-2] + "AA",
		"forged":    "Bearer ct1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	} {
		resp, out := send("GET", auth, nil)
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer error="invalid_token"`) ||
			out["error"] != "invalid_token" {
			t.Errorf("%s token = %d %q %v, want 401 invalid_token", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), out)
		}
	}

	if resp, _ := send("DELETE", "Bearer "+tok.AccessToken, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE = %d, want 405", resp.StatusCode)
	}
	resp, _ = send("OPTIONS", "", nil, "Origin", "https://spa.example.ru",
		"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization") {
		t.Errorf("CORS preflight = %d %v", resp.StatusCode, resp.Header)
	}

	if st, _ := x.postForm(env.URL+"/oidc/revoke", url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}); st != 200 {
		t.Fatalf("revocation = %d", st)
	}
	if resp, out := send("GET", "Bearer "+tok.AccessToken, nil); resp.StatusCode != 401 || out["error"] != "invalid_token" {
		t.Errorf("revoked token = %d %v, want 401 invalid_token", resp.StatusCode, out)
	}
}
