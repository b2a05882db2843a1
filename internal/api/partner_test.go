package api_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// bank is a partner client with its private key, minting client assertions as a bank would.
type bank struct {
	id  string
	key *ecdsa.PrivateKey
	env *apptest.Env
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newBank registers a private_key_jwt client with roles (none: a site) and returns it.
func newBank(t testing.TB, env *apptest.Env, name string, roles ...string) *bank {
	t.Helper()
	b := &bank{key: newKey(t), env: env}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: b.key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}
	raw, _ := json.Marshal(set)
	in := rp.Input{Name: name, AuthMethod: string(rp.PrivateKeyJWT), JWKS: string(raw), Roles: roles}
	if len(roles) == 0 {
		in.RedirectURIs = []string{"https://site.example/callback"}
	}
	if slices.Contains(roles, rp.RoleCenter) {
		in.CenterID = "center-1"
	}
	c, _, err := env.App.Clients.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	b.id = c.ID
	return b
}

// assertion mints a client assertion; edit changes its claims before signing.
func (b *bank) assertion(t testing.TB, key *ecdsa.PrivateKey, edit func(*jwt.Claims)) string {
	t.Helper()
	now := time.Now()
	c := jwt.Claims{Issuer: b.id, Subject: b.id, Audience: jwt.Audience{b.env.URL + "/api/v1/partner"},
		ID: fmt.Sprintf("jti-%d-%x", now.UnixNano(), randBytes()), IssuedAt: jwt.NewNumericDate(now),
		Expiry: jwt.NewNumericDate(now.Add(2 * time.Minute))}
	if edit != nil {
		edit(&c)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func randBytes() []byte {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return b
}

// call sends a partner API request with a fresh assertion.
func (b *bank) call(t testing.TB, method, path string, body any) (int, map[string]any, http.Header) {
	t.Helper()
	return call(t, b.env, method, path, body, b.assertion(t, b.key, nil))
}

// raw sends a request and returns the answer's status, body bytes and headers.
func (b *bank) raw(t testing.TB, path string, body any) (int, []byte, http.Header) {
	t.Helper()
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", b.env.URL+path, bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+b.assertion(t, b.key, nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header
}

// ivanovConfirm is what a bank knows of Ivanov, the simulator's sample person.
func ivanovConfirm(requestID string) map[string]any {
	return map[string]any{"request_id": requestID, "snils": "11223344595", "last_name": "ИВАНОВ", "first_name": "Иван",
		"middle_name": "Иванович", "birth_date": "1985-03-14", "passport_series": "45 09", "passport_number": "123456",
		"phone": "+7 916 123-45-67"}
}

// standard registers Ivanov with phone and brings the account to standard.
func standard(t *testing.T, env *apptest.Env, phone string, profile map[string]any) (accountID, token string) {
	t.Helper()
	id, token := register(t, env, phone, "", strong)
	if st, p, _ := call(t, env, "PUT", "/api/v1/me/profile", profile, token); st != 200 {
		t.Fatalf("profile: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token); st != 202 {
		t.Fatalf("submit: %d %v", st, p)
	}
	env.Deliver()
	if acc := getAccount(t, env, id); acc.Level != account.Standard {
		t.Fatalf("level after checks = %s, want standard", acc.Level)
	}
	return id, token
}

func getAccount(t *testing.T, env *apptest.Env, id string) *account.Account {
	t.Helper()
	acc, err := env.App.DB.GetAccount(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// TestPartnerConfirm: a bank confirms a standard account; the resend answers the same and acts
// once; the same id with other data is refused; a second confirmation is refused.
func TestPartnerConfirm(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			b := newBank(t, env, "Банк Пример", rp.RoleBank)
			id, token := standard(t, env, "+7 916 123-45-67", ivanovProfile)
			before := len(env.Messages("+79161234567"))

			st, first, hdr := b.raw(t, "/api/v1/partner/confirmations", ivanovConfirm("c-1"))
			var res map[string]any
			_ = json.Unmarshal(first, &res)
			if st != 200 || res["state"] != "confirmed" || res["level"] != "confirmed" || res["account_id"] != id ||
				res["request_id"] != "c-1" || hdr.Get("Idempotent-Replayed") != "" {
				t.Fatalf("confirm: %d %s", st, first)
			}
			acc := getAccount(t, env, id)
			if acc.Level != account.Confirmed || acc.ConfirmationMethod != "bank" {
				t.Errorf("account: level %s, method %q", acc.Level, acc.ConfirmationMethod)
			}
			msgs := env.Messages("+79161234567")
			if len(msgs) != before+1 || !strings.Contains(msgs[0].Body, "Банк Пример") {
				t.Errorf("messages: %d new, newest %+v", len(msgs)-before, msgs[0])
			}
			_, evs, _ := call(t, env, "GET", "/api/v1/me/events", nil, token)
			found := false
			for _, e := range evs["events"].([]any) {
				e := e.(map[string]any)
				d, _ := e["details"].(map[string]any)
				if e["action"] == "account.level_raised" && e["actor"] == "client:"+b.id && d["method"] == "bank" &&
					d["bank_name"] == "Банк Пример" && d["request_id"] == "c-1" {
					found = true
				}
			}
			if !found {
				t.Errorf("no audit event of the bank's confirmation in %v", evs)
			}

			// The resend answers exactly the same, and acts no more.
			st2, again, hdr := b.raw(t, "/api/v1/partner/confirmations", ivanovConfirm("c-1"))
			if st2 != st || !bytes.Equal(again, first) || hdr.Get("Idempotent-Replayed") != "true" {
				t.Errorf("resend: %d %s, want %d %s", st2, again, st, first)
			}
			// The same data written another way is the same request.
			same := ivanovConfirm("c-1")
			same["snils"], same["passport_series"] = "112-233-445 95", "4509"
			if st, again, _ := b.raw(t, "/api/v1/partner/confirmations", same); st != 200 || !bytes.Equal(again, first) {
				t.Errorf("resend with reformatted data: %d %s", st, again)
			}
			if n := len(env.Messages("+79161234567")); n != before+1 {
				t.Errorf("%d messages after the resends, want %d", n, before+1)
			}
			other := ivanovConfirm("c-1")
			other["birth_date"] = "1985-03-15"
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", other); st != 409 || p["code"] != "request_id_reused" {
				t.Errorf("same id, other data: %d %v", st, p)
			}
			st, p, _ := b.call(t, "GET", "/api/v1/partner/requests/c-1", nil)
			if st != 200 || p["state"] != "done" || p["code"] != "ok" || p["type"] != "confirmation" || p["account_id"] != id ||
				p["result"].(map[string]any)["state"] != "confirmed" || p["status"] != 200.0 {
				t.Errorf("GET request: %d %v", st, p)
			}

			// Confirmed already: refused, nothing changes; the refusal is stored and replayed.
			st, p, _ = b.call(t, "POST", "/api/v1/partner/confirmations", ivanovConfirm("c-2"))
			if st != 409 || p["code"] != "account_confirmed" {
				t.Errorf("second confirmation: %d %v", st, p)
			}
			st, p, hdr = b.call(t, "POST", "/api/v1/partner/confirmations", ivanovConfirm("c-2"))
			if st != 409 || p["code"] != "account_confirmed" || hdr.Get("Idempotent-Replayed") != "true" {
				t.Errorf("second confirmation resent: %d %v", st, p)
			}
			st, p, _ = b.call(t, "GET", "/api/v1/partner/requests/c-2", nil)
			if st != 200 || p["state"] != "rejected" || p["code"] != "account_confirmed" || p["status"] != 409.0 ||
				p["result"].(map[string]any)["code"] != "account_confirmed" {
				t.Errorf("GET rejected request: %d %v", st, p)
			}
			if st, p, _ := b.call(t, "GET", "/api/v1/partner/requests/nope", nil); st != 404 || p["code"] != "request_not_found" {
				t.Errorf("GET unknown request: %d %v", st, p)
			}
			// Another bank does not see this bank's requests.
			other2 := newBank(t, env, "Другой банк", rp.RoleBank)
			if st, p, _ := other2.call(t, "GET", "/api/v1/partner/requests/c-1", nil); st != 404 || p["code"] != "request_not_found" {
				t.Errorf("GET another bank's request: %d %v", st, p)
			}
		})
	}
}

// TestPartnerMismatch: each differing field is named, never the stored value, and nothing
// changes.
func TestPartnerMismatch(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			b := newBank(t, env, "Банк Пример", rp.RoleBank)
			id, _ := standard(t, env, "+7 916 123-45-67", ivanovProfile)
			before := len(env.Messages("+79161234567"))
			for i, c := range []struct{ field, value string }{
				{"last_name", "Петров"}, {"first_name", "Пётр"}, {"middle_name", "Петрович"},
				{"birth_date", "1985-03-15"}, {"passport_series", "4510"}, {"passport_number", "123457"},
				{"phone", "+79161234568"},
			} {
				body := ivanovConfirm(fmt.Sprintf("m-%d", i))
				body[c.field] = c.value
				st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", body)
				if st != 409 || p["code"] != "data_mismatch" || !cmp.Equal(fieldCodes(p), []string{c.field + ":mismatch"}) {
					t.Errorf("%s differs: %d %v", c.field, st, p)
				}
				raw, _ := json.Marshal(p)
				for _, stored := range []string{"Иванов", "1985-03-14", "4509", "123456", "79161234567"} {
					if strings.Contains(string(raw), stored) {
						t.Errorf("%s differs: the answer reveals %q: %s", c.field, stored, raw)
					}
				}
				st2, p2, _ := b.call(t, "POST", "/api/v1/partner/confirmations", body)
				if st2 != st || !cmp.Equal(p2, p) {
					t.Errorf("%s differs, resent: %d %v, want %d %v", c.field, st2, p2, st, p)
				}
			}
			body := ivanovConfirm("m-all")
			body["last_name"], body["birth_date"] = "Сидоров", "2000-01-01"
			if _, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", body); !cmp.Equal(fieldCodes(p),
				[]string{"last_name:mismatch", "birth_date:mismatch"}) {
				t.Errorf("two fields differ: %v", p)
			}
			if acc := getAccount(t, env, id); acc.Level != account.Standard || acc.ConfirmationMethod != "" {
				t.Errorf("after mismatches: level %s, method %q", acc.Level, acc.ConfirmationMethod)
			}
			if n := len(env.Messages("+79161234567")); n != before {
				t.Errorf("%d messages after mismatches, want %d", n, before)
			}
		})
	}
}

// TestPartnerRefusals: no account, an account below standard, an account that exists.
func TestPartnerRefusals(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			b := newBank(t, env, "Банк Пример", rp.RoleBank)

			st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", ivanovConfirm("r-1"))
			if st != 404 || p["code"] != "account_not_found" || !strings.Contains(p["detail"].(string), "register") {
				t.Errorf("confirm without an account: %d %v", st, p)
			}
			// A simplified account with the bank's phone: its data are not verified yet.
			register(t, env, "+7 916 123-45-67", "", strong)
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", ivanovConfirm("r-2")); st != 409 || p["code"] != "not_standard" {
				t.Errorf("confirm a simplified account: %d %v", st, p)
			}
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/registrations", ivanovRegistration("r-3")); st != 409 || p["code"] != "not_standard" {
				t.Errorf("register over a simplified account: %d %v", st, p)
			}
			// Without the phone, a confirmation of the same SNILS finds no account.
			body := ivanovConfirm("r-4")
			delete(body, "phone")
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", body); st != 404 || p["code"] != "account_not_found" {
				t.Errorf("confirm without a phone: %d %v", st, p)
			}

			// A standard account: registering it again is refused.
			standard(t, env, "+79160000001", ivanovProfile)
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/registrations", ivanovRegistration("r-5")); st != 409 || p["code"] != "account_exists" {
				t.Errorf("register an existing account: %d %v", st, p)
			}
			// A standard account whose profile change is under check keeps its verified data in force.
			body = ivanovConfirm("r-6")
			body["phone"] = "+79160000001"
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", body); st != 200 || p["state"] != "confirmed" {
				t.Errorf("confirm the standard account: %d %v", st, p)
			}
		})
	}
}

// TestPartnerValidation: malformed input gets field errors and is not recorded, so the same
// request id can be sent again with corrected data.
func TestPartnerValidation(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			b := newBank(t, env, "Банк Пример", rp.RoleBank)
			body := ivanovConfirm("v-1")
			body["snils"], body["birth_date"], body["passport_series"], body["passport_number"], body["phone"] =
				"112-233-445 96", "14.03.1985", "45", "12345", "123"
			st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", body)
			want := []string{"snils:snils_checksum", "birth_date:date_invalid", "passport_series:series_invalid",
				"passport_number:number_invalid", "phone:phone_invalid"}
			got := fieldCodes(p)
			slices.Sort(got)
			slices.Sort(want)
			if st != 422 || p["code"] != "validation_failed" || !cmp.Equal(got, want) {
				t.Errorf("malformed confirmation: %d %v", st, p)
			}
			if st, p, _ := b.call(t, "GET", "/api/v1/partner/requests/v-1", nil); st != 404 {
				t.Errorf("a refused input was recorded: %d %v", st, p)
			}
			reg := ivanovRegistration("v-2")
			delete(reg, "phone")
			reg["gender"], reg["passport_issue_date"], reg["email"] = "X", "2099-01-01", "not-an-email"
			st, p, _ = b.call(t, "POST", "/api/v1/partner/registrations", reg)
			want = []string{"gender:invalid_choice", "passport_issue_date:date_in_future", "phone:required", "email:email_invalid"}
			got = fieldCodes(p)
			slices.Sort(got)
			slices.Sort(want)
			if st != 422 || p["code"] != "validation_failed" || !cmp.Equal(got, want) {
				t.Errorf("malformed registration: %d %v", st, p)
			}
			for name, c := range map[string]struct {
				body any
				st   int
				code string
			}{
				"unknown field":   {map[string]any{"request_id": "x", "snils_number": "1"}, 422, "validation_failed"},
				"wrong type":      {map[string]any{"request_id": 5}, 422, "validation_failed"},
				"no request id":   {ivanovConfirm(""), 422, "request_id_invalid"},
				"long request id": {ivanovConfirm(strings.Repeat("x", 101)), 422, "request_id_invalid"},
				"array":           {[]any{1}, 400, "malformed_json"},
			} {
				if st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", c.body); st != c.st || p["code"] != c.code {
					t.Errorf("%s: %d %v, want %d %s", name, st, p, c.st, c.code)
				}
			}
			req, _ := http.NewRequest("POST", env.URL+"/api/v1/partner/confirmations", strings.NewReader("{"))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+b.assertion(t, b.key, nil))
			if st, p, _ := do(t, req); st != 400 || p["code"] != "malformed_json" {
				t.Errorf("broken JSON: %d %v", st, p)
			}
		})
	}
}

// TestPartnerAuthentication: only a bank's fresh, well-formed assertion opens the API.
func TestPartnerAuthentication(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			b := newBank(t, env, "Банк Пример", rp.RoleBank)
			center := newBank(t, env, "Центр", rp.RoleCenter)
			site := newBank(t, env, "Сайт")
			_, session := register(t, env, "+7 916 123-45-67", "", strong)
			secretClient, _, err := env.App.Clients.Create(context.Background(), rp.Input{Name: "Secret site",
				AuthMethod: string(rp.ClientSecretBasic), RedirectURIs: []string{"https://s.example/cb"}})
			if err != nil {
				t.Fatal(err)
			}
			replayed := b.assertion(t, b.key, nil)
			if st, p, _ := call(t, env, "GET", "/api/v1/partner/requests/x", nil, replayed); st != 404 {
				t.Fatalf("first use of an assertion: %d %v", st, p)
			}
			edited := func(edit func(*jwt.Claims)) func() string {
				return func() string { return b.assertion(t, b.key, edit) }
			}
			for name, c := range map[string]struct {
				token func() string
				st    int
				code  string
			}{
				"no assertion": {func() string { return "" }, 401, "invalid_client"},
				"wrong key":    {func() string { return b.assertion(t, newKey(t), nil) }, 401, "invalid_client"},
				"expired": {edited(func(c *jwt.Claims) {
					c.IssuedAt, c.Expiry = jwt.NewNumericDate(time.Now().Add(-5*time.Minute)), jwt.NewNumericDate(time.Now().Add(-time.Minute))
				}), 401, "invalid_client"},
				"too long":      {edited(func(c *jwt.Claims) { c.Expiry = jwt.NewNumericDate(time.Now().Add(time.Hour)) }), 401, "invalid_client"},
				"wrong aud":     {edited(func(c *jwt.Claims) { c.Audience = jwt.Audience{"https://other.example"} }), 401, "invalid_client"},
				"no jti":        {edited(func(c *jwt.Claims) { c.ID = "" }), 401, "invalid_client"},
				"other sub":     {edited(func(c *jwt.Claims) { c.Subject = "someone" }), 401, "invalid_client"},
				"replayed jti":  {func() string { return replayed }, 401, "invalid_client"},
				"center client": {func() string { return center.assertion(t, center.key, nil) }, 403, "forbidden"},
				"site client":   {func() string { return site.assertion(t, site.key, nil) }, 403, "forbidden"},
				"secret client": {func() string { return (&bank{id: secretClient.ID, env: env}).assertion(t, b.key, nil) }, 401, "invalid_client"},
				"session token": {func() string { return session }, 401, "invalid_client"},
			} {
				for _, path := range []string{"/api/v1/partner/confirmations", "/api/v1/partner/registrations", "/api/v1/partner/requests/a-1"} {
					method, body := "POST", any(ivanovConfirm("a-1"))
					if strings.Contains(path, "/requests/") {
						method, body = "GET", nil
					}
					st, p, hdr := call(t, env, method, path, body, c.token())
					if st != c.st || p["code"] != c.code {
						t.Errorf("%s, %s: %d %v, want %d %s", name, path, st, p, c.st, c.code)
					}
					if st == 401 && hdr.Get("WWW-Authenticate") == "" {
						t.Errorf("%s, %s: 401 without WWW-Authenticate", name, path)
					}
				}
			}
			// The issuer and the token endpoint are accepted audiences too.
			for _, aud := range []string{env.URL, env.URL + "/oidc/token"} {
				tok := b.assertion(t, b.key, func(c *jwt.Claims) { c.Audience = jwt.Audience{aud} })
				if st, p, _ := call(t, env, "GET", "/api/v1/partner/requests/x", nil, tok); st != 404 || p["code"] != "request_not_found" {
					t.Errorf("aud %s: %d %v", aud, st, p)
				}
			}
		})
	}
}

// ivanovRegistration is a registration of Ivanov by a bank.
func ivanovRegistration(requestID string) map[string]any {
	r := ivanovConfirm(requestID)
	r["gender"], r["birth_place"] = "M", "г. Москва"
	r["passport_issue_date"], r["passport_issuer"], r["passport_department_code"] = "2005-04-02", "ОВД Тверского района г. Москвы", "770-001"
	return r
}

// fedorova is the simulator's sample person Fedorova, registered by a bank.
func fedorova(requestID string) map[string]any {
	return map[string]any{"request_id": requestID, "snils": "234-567-890 99", "last_name": "Фёдорова",
		"first_name": "Алёна", "middle_name": "Петровна", "birth_date": "1979-11-02", "gender": "F",
		"birth_place": "г. Москва", "passport_series": "4603", "passport_number": "112233",
		"passport_issue_date": "2024-11-15", "passport_issuer": "ГУ МВД России по Московской области",
		"passport_department_code": "500-104", "phone": "+7 916 777-00-01", "email": "alena@example.ru"}
}

// TestPartnerRegister: a bank registers a citizen without an account: confirmed at once,
// registry checks queued, an activation link by SMS; the resend acts no more.
func TestPartnerRegister(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			b := newBank(t, env, "Банк Пример", rp.RoleBank)
			st, first, hdr := b.raw(t, "/api/v1/partner/registrations", fedorova("reg-1"))
			var res map[string]any
			_ = json.Unmarshal(first, &res)
			if st != 201 || res["state"] != "registered" || res["level"] != "confirmed" || res["request_id"] != "reg-1" ||
				hdr.Get("Idempotent-Replayed") != "" {
				t.Fatalf("register: %d %s", st, first)
			}
			id, _ := res["account_id"].(string)
			acc := getAccount(t, env, id)
			if acc.Level != account.Confirmed || acc.ConfirmationMethod != "bank" || acc.LastName != "Фёдорова" {
				t.Errorf("account: %+v", acc)
			}
			subs, err := env.App.Proofing.Submissions(context.Background(), id, 5)
			if err != nil || len(subs) != 1 {
				t.Fatalf("submissions: %v %v, want the registry checks queued", subs, err)
			}
			if subs[0].State != "checking" {
				t.Errorf("submission state %s, want checking", subs[0].State)
			}
			// While the checks run, the phone already belongs to the new account.
			second := fedorova("reg-2")
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/registrations", second); st != 409 || p["code"] != "contact_already_registered" ||
				!cmp.Equal(fieldCodes(p), []string{"phone:taken"}) {
				t.Errorf("second registration while checks run: %d %v", st, p)
			}
			activations := func() int {
				n := 0
				for _, m := range env.Messages("+79167770001") {
					if strings.Contains(m.Body, "/activate/") {
						n++
					}
				}
				return n
			}
			if n := activations(); n != 1 {
				t.Fatalf("%d activation links by SMS, want 1", n)
			}

			st2, again, hdr := b.raw(t, "/api/v1/partner/registrations", fedorova("reg-1"))
			if st2 != 201 || !bytes.Equal(again, first) || hdr.Get("Idempotent-Replayed") != "true" {
				t.Errorf("resend: %d %s, want %d %s", st2, again, st, first)
			}
			if n := activations(); n != 1 {
				t.Errorf("%d activation links after the resend, want 1", n)
			}
			if owner, err := env.App.DB.FindByContact(context.Background(), account.Phone, "+79167770001"); err != nil || owner.ID != id {
				t.Errorf("the phone's account: %v %v, want %s", owner, err, id)
			}
			changed := fedorova("reg-1")
			changed["birth_place"] = "г. Тверь"
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/registrations", changed); st != 409 || p["code"] != "request_id_reused" {
				t.Errorf("same id, other data: %d %v", st, p)
			}
			// Same id on the other endpoint is another request too.
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", ivanovConfirm("reg-1")); st != 409 || p["code"] != "request_id_reused" {
				t.Errorf("same id, other operation: %d %v", st, p)
			}
			st, p, _ := b.call(t, "GET", "/api/v1/partner/requests/reg-1", nil)
			if st != 200 || p["state"] != "done" || p["type"] != "registration" || p["status"] != 201.0 || p["account_id"] != id {
				t.Errorf("GET request: %d %v", st, p)
			}

			env.Deliver() // the checks pass: the SNILS is verified
			if acc := getAccount(t, env, id); acc.Level != account.Confirmed {
				t.Errorf("level after the checks = %s, want confirmed", acc.Level)
			}
			second["request_id"], second["phone"] = "reg-3", "+7 916 777-00-02"
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/registrations", second); st != 409 || p["code"] != "account_exists" {
				t.Errorf("registration of a registered citizen: %d %v", st, p)
			}
			conf := map[string]any{"request_id": "reg-4", "snils": "23456789099", "last_name": "Фёдорова", "first_name": "Алёна",
				"middle_name": "Петровна", "birth_date": "1979-11-02", "passport_series": "4603", "passport_number": "112233"}
			if st, p, _ := b.call(t, "POST", "/api/v1/partner/confirmations", conf); st != 409 || p["code"] != "account_confirmed" {
				t.Errorf("confirmation of the registered citizen: %d %v", st, p)
			}
		})
	}
}

// TestPartnerConcurrentResends: the same request sent several times at once acts once, and
// every answer is the same.
func TestPartnerConcurrentResends(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			b := newBank(t, env, "Банк Пример", rp.RoleBank)
			const n = 6
			bodies := make([][]byte, n)
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i], bodies[i], _ = b.raw(t, "/api/v1/partner/registrations", fedorova("same"))
				}()
			}
			wg.Wait()
			for i := range n {
				if statuses[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
					t.Errorf("answer %d: %d %s, want 201 %s", i, statuses[i], bodies[i], bodies[0])
				}
			}
			n2 := 0
			for _, m := range env.Messages("+79167770001") {
				if strings.Contains(m.Body, "/activate/") {
					n2++
				}
			}
			if n2 != 1 {
				t.Errorf("%d activation links, want 1", n2)
			}
		})
	}
}
