package adminapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/app/apptest"
)

const token = "test-admin-token-0123456789abcdef0123456789"

// call sends a request with the admin token tok (none when empty) and decodes the JSON answer.
func call(t *testing.T, env *apptest.Env, method, path, tok string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %q", method, path, raw)
		}
	}
	return resp.StatusCode, out, resp.Header
}

func fieldCodes(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out = append(out, m["field"].(string)+":"+m["code"].(string))
	}
	slices.Sort(out)
	return out
}

// verify reports whether secret is client id's secret, as the server's registry checks it.
func verify(t *testing.T, env *apptest.Env, id, secret string) bool {
	t.Helper()
	env.App.Clients.Forget(id)
	c, err := env.App.Clients.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("get client %s: %v", id, err)
	}
	return env.App.Clients.VerifySecret(c, secret)
}

var taxClient = map[string]any{
	"id": "tax-service", "name": "Tax service", "redirect_uris": []string{"https://tax.example.ru/callback"},
	"post_logout_redirect_uris": []string{"https://tax.example.ru/"}, "backchannel_logout_uri": "https://tax.example.ru/bcl",
	"scopes": []string{"openid", "fullname", "snils", "inn"}, "min_level": "confirmed",
	"allowed_methods": []string{"in_person", "e_signature"}, "subject_type": "pairwise",
}

func TestDisabledWithoutToken(t *testing.T) {
	env := apptest.New(t)
	for _, tok := range []string{"", token} {
		st, p, _ := call(t, env, "GET", "/api/v1/admin/clients", tok, nil)
		if st != 404 || p["code"] != "not_found" {
			t.Errorf("GET /api/v1/admin/clients without an admin token configured = %d %v, want 404 not_found", st, p)
		}
	}
}

func TestRefusesWrongToken(t *testing.T) {
	env := apptest.New(t, apptest.WithAdminToken(token))
	for _, tok := range []string{"", "wrong", token + "x", strings.ToUpper(token)} {
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/admin/clients"}, {"POST", "/api/v1/admin/clients"}, {"GET", "/api/v1/admin/clients/civis-demo"},
			{"DELETE", "/api/v1/admin/clients/civis-demo"}, {"POST", "/api/v1/admin/clients/civis-demo/secret"},
		} {
			st, p, h := call(t, env, r.method, r.path, tok, nil)
			if st != 401 || p["code"] != "unauthorized" || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s with token %q = %d %v, want 401 unauthorized with WWW-Authenticate", r.method, r.path, tok, st, p)
			}
		}
	}
	if _, err := env.App.Clients.Get(context.Background(), "civis-demo"); err != nil {
		t.Errorf("the demo client is gone after refused calls: %v", err)
	}
}

func TestClientLifecycle(t *testing.T) {
	env := apptest.New(t, apptest.WithAdminToken(token))

	st, created, h := call(t, env, "POST", "/api/v1/admin/clients", token, taxClient)
	if st != 201 {
		t.Fatalf("create = %d %v", st, created)
	}
	secret, _ := created["client_secret"].(string)
	if created["id"] != "tax-service" || len(secret) < 40 || h.Get("Location") != "/api/v1/admin/clients/tax-service" ||
		created["auth_method"] != "client_secret_basic" || created["sector_id"] != "tax.example.ru" || h.Get("Cache-Control") != "no-store" {
		t.Errorf("create answered %v (Location %q, Cache-Control %q)", created, h.Get("Location"), h.Get("Cache-Control"))
	}
	if !verify(t, env, "tax-service", secret) || verify(t, env, "tax-service", secret+"x") {
		t.Error("the server does not accept exactly the issued secret")
	}
	// The CLI's registry derives the same secret key as the server.
	reg, done, err := app.ClientRegistry(context.Background(), env.App.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if c, err := reg.Get(context.Background(), "tax-service"); err != nil || !reg.VerifySecret(c, secret) {
		t.Errorf("app.ClientRegistry does not verify the server's secret (err %v)", err)
	}

	st, p, _ := call(t, env, "POST", "/api/v1/admin/clients", token, taxClient)
	if st != 409 || p["code"] != "client_exists" {
		t.Errorf("create a taken id = %d %v, want 409 client_exists", st, p)
	}

	st, list, _ := call(t, env, "GET", "/api/v1/admin/clients", token, nil)
	var ids []string
	for _, c := range list["clients"].([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	if st != 200 || !slices.Equal(ids, []string{"civis-demo", "tax-service"}) {
		t.Errorf("list = %d %v, want civis-demo and tax-service", st, ids)
	}

	st, shown, _ := call(t, env, "GET", "/api/v1/admin/clients/tax-service", token, nil)
	if st != 200 || shown["name"] != "Tax service" || shown["min_level"] != "confirmed" || shown["client_secret"] != nil ||
		shown["backchannel_logout_uri"] != "https://tax.example.ru/bcl" {
		t.Errorf("show = %d %v", st, shown)
	}
	for k := range shown {
		if strings.Contains(strings.ToLower(k), "secret") || strings.Contains(strings.ToLower(k), "hash") {
			t.Errorf("show reveals %q", k)
		}
	}

	st, rotated, _ := call(t, env, "POST", "/api/v1/admin/clients/tax-service/secret", token, nil)
	newSecret, _ := rotated["client_secret"].(string)
	if st != 200 || rotated["client_id"] != "tax-service" || newSecret == "" || newSecret == secret {
		t.Fatalf("rotate = %d %v", st, rotated)
	}
	// The node that rotated forgot its cached copy: the new secret works at once here.
	if c, _ := env.App.Clients.Get(context.Background(), "tax-service"); !env.App.Clients.VerifySecret(c, newSecret) {
		t.Error("the cached client still has the old secret after rotation")
	}
	if verify(t, env, "tax-service", secret) {
		t.Error("the old secret still works after rotation")
	}

	if _, err := env.App.Clients.Get(context.Background(), "tax-service"); err != nil { // cache it
		t.Fatal(err)
	}
	if st, p, _ := call(t, env, "DELETE", "/api/v1/admin/clients/tax-service", token, nil); st != 204 || p != nil {
		t.Errorf("delete = %d %v, want 204 without a body", st, p)
	}
	if _, err := env.App.Clients.Get(context.Background(), "tax-service"); err == nil {
		t.Error("the deleted client is still served from this node's cache")
	}
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/admin/clients/tax-service"}, {"DELETE", "/api/v1/admin/clients/tax-service"},
		{"POST", "/api/v1/admin/clients/tax-service/secret"},
	} {
		if st, p, _ := call(t, env, r.method, r.path, token, nil); st != 404 || p["code"] != "not_found" {
			t.Errorf("%s %s after delete = %d %v, want 404 not_found", r.method, r.path, st, p)
		}
	}
}

func TestClientKinds(t *testing.T) {
	env := apptest.New(t, apptest.WithAdminToken(token))
	jwks := map[string]any{"keys": []any{map[string]any{"kty": "EC", "crv": "P-256", "kid": "k1",
		"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}}
	st, c, _ := call(t, env, "POST", "/api/v1/admin/clients", token, map[string]any{
		"name": "Bank", "redirect_uris": []string{"https://bank.example.ru/cb"}, "auth_method": "private_key_jwt", "jwks": jwks})
	if st != 201 || c["client_secret"] != nil || !strings.HasPrefix(c["id"].(string), "c-") || c["jwks"] == nil {
		t.Fatalf("create private_key_jwt = %d %v, want a generated id, the JWKS and no secret", st, c)
	}
	st, p, _ := call(t, env, "POST", "/api/v1/admin/clients/"+c["id"].(string)+"/secret", token, nil)
	if st != 409 || p["code"] != "client_has_no_secret" {
		t.Errorf("rotate a private_key_jwt client's secret = %d %v, want 409 client_has_no_secret", st, p)
	}
	st, c, _ = call(t, env, "POST", "/api/v1/admin/clients", token, map[string]any{
		"id": "app", "name": "Mobile app", "redirect_uris": []string{"http://127.0.0.1/cb"}, "auth_method": "none"})
	if st != 201 || c["client_secret"] != nil {
		t.Errorf("create a public client = %d %v, want no secret", st, c)
	}
}

func TestValidation(t *testing.T) {
	env := apptest.New(t, apptest.WithAdminToken(token))
	for _, tc := range []struct {
		name string
		body any
		want []string
	}{
		{"empty", map[string]any{}, []string{"name:required", "redirect_uris:required"}},
		{"bad values", map[string]any{"id": "x", "name": "X", "redirect_uris": []string{"http://rp.example.ru/cb", "https://rp.example.ru/cb#frag"},
			"scopes": []string{"openid", "passwords"}, "min_level": "gold", "allowed_methods": []string{"telepathy"},
			"auth_method": "magic", "subject_type": "random"},
			[]string{"allowed_methods:invalid", "auth_method:invalid", "id:invalid", "min_level:invalid", "redirect_uris:insecure",
				"redirect_uris:invalid", "scopes:unknown", "subject_type:invalid"}},
		{"jwt without keys", map[string]any{"name": "X", "redirect_uris": []string{"https://rp.example.ru/cb"}, "auth_method": "private_key_jwt"},
			[]string{"jwks:required"}},
		{"not a key set", map[string]any{"name": "X", "redirect_uris": []string{"https://rp.example.ru/cb"}, "auth_method": "private_key_jwt",
			"jwks": map[string]any{"keys": []any{}}}, []string{"jwks:invalid"}},
		{"pairwise on two hosts", map[string]any{"name": "X", "redirect_uris": []string{"https://a.example.ru/cb", "https://b.example.ru/cb"},
			"subject_type": "pairwise"}, []string{"subject_type:sector"}},
		{"unknown field", map[string]any{"name": "X", "client_secret": "mine"}, []string{"client_secret:unknown_field"}},
		{"wrong type", map[string]any{"name": "X", "redirect_uris": "https://rp.example.ru/cb"}, []string{"redirect_uris:wrong_type"}},
	} {
		st, p, _ := call(t, env, "POST", "/api/v1/admin/clients", token, tc.body)
		if got := fieldCodes(p); st != 422 || p["code"] != "validation_failed" || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %d %v %v, want 422 validation_failed %v", tc.name, st, p["code"], got, tc.want)
		}
	}
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/admin/clients", strings.NewReader("name=X"))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 415 {
		t.Errorf("a form body = %d, want 415", resp.StatusCode)
	}
}
