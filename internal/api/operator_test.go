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
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/staff"
)

// centerSystem is a service center's information system: a private_key_jwt client with the
// center role, calling the operator API for one operator.
type centerSystem struct {
	id       string
	key      *ecdsa.PrivateKey
	env      *apptest.Env
	operator string      // the Civis-Operator header
	header   http.Header // of the last answer
}

func newCenterSystem(t *testing.T, env *apptest.Env, center string, roles ...string) *centerSystem {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &centerSystem{key: k, env: env}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.Public(), KeyID: "c1", Algorithm: "ES256", Use: "sig"}}}
	raw, _ := json.Marshal(set)
	if len(roles) == 0 {
		roles = []string{rp.RoleCenter}
	}
	in := rp.Input{Name: "ИС " + center, AuthMethod: string(rp.PrivateKeyJWT), JWKS: string(raw), Roles: roles}
	if roles[0] == rp.RoleCenter {
		in.CenterID = center
	}
	c, _, err := env.App.Clients.Create(context.Background(), in)
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	s.id = c.ID
	return s
}

// staffAt registers an account and makes it an operator at center.
func staffAt(t *testing.T, env *apptest.Env, phone, center string) string {
	t.Helper()
	id, _ := register(t, env, phone, "", strong)
	if _, err := env.App.Staff.Assign(context.Background(), nil, id, center, staff.Operator); err != nil {
		t.Fatal(err)
	}
	return id
}

func (s *centerSystem) assertion(t *testing.T, edit func(*jwt.Claims)) string {
	t.Helper()
	now := time.Now()
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	c := jwt.Claims{Issuer: s.id, Subject: s.id, Audience: jwt.Audience{s.env.URL + "/api/v1/operator"},
		ID: fmt.Sprintf("op-%d-%x", now.UnixNano(), nonce), IssuedAt: jwt.NewNumericDate(now),
		Expiry: jwt.NewNumericDate(now.Add(2 * time.Minute))}
	if edit != nil {
		edit(&c)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: s.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "c1"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// send calls the API with a fresh assertion (or token when set) and returns status and body.
func (s *centerSystem) send(t *testing.T, method, path string, body any, token string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, s.env.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token == "" {
		token = s.assertion(t, nil)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if s.operator != "" {
		req.Header.Set("Civis-Operator", s.operator)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	s.header = resp.Header
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (s *centerSystem) json(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	st, raw := s.send(t, method, path, body, "")
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %d %q is not JSON", method, path, st, raw)
	}
	return st, out
}

// sidorov is a registration at the desk of a person the simulator verifies.
func sidorov(requestID, phone, snils, activation string) map[string]any {
	return map[string]any{"request_id": requestID, "last_name": "Сидоров", "first_name": "Пётр", "middle_name": "Ильич",
		"phone": phone, "gender": "male", "birth_date": "1985-05-06", "birth_place": "г. Тула", "snils": snils,
		"passport": map[string]any{"series": "7003", "number": "300" + strings.NewReplacer("-", "", " ", "").Replace(snils)[8:], "issue_date": "2005-06-01",
			"issuer": "ОВД г. Тулы", "department_code": "710-001"}, "activation": activation}
}

// firstPasswordMessages returns the messages to phone that carry a temporary password.
func firstPasswordMessages(env *apptest.Env, phone string) []string {
	var out []string
	for _, m := range env.Messages(phone) {
		if strings.Contains(m.Body, "пароль: ") || strings.Contains(m.Body, "/activate/") {
			out = append(out, m.Body)
		}
	}
	return out
}

// TestOperatorAPIIdempotency: a resent request answers the same, acts once, sends one SMS.
func TestOperatorAPIIdempotency(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			sys := newCenterSystem(t, env, "demo-tverskaya")
			sys.operator = staffAt(t, env, "+79161000001", "demo-tverskaya")
			const phone = "+79167001001"
			reg := sidorov("r-1", phone, "112-233-445 95", "")
			st1, body1 := sys.send(t, "POST", "/api/v1/operator/registrations", reg, "")
			if st1 != http.StatusCreated {
				t.Fatalf("register: %d %s", st1, body1)
			}
			st2, body2 := sys.send(t, "POST", "/api/v1/operator/registrations", reg, "")
			if st2 != st1 || !bytes.Equal(body1, body2) || sys.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("resend = %d %s, want %d %s", st2, body2, st1, body1)
			}
			var res map[string]any
			_ = json.Unmarshal(body1, &res)
			if res["level"] != "confirmed" || res["request_id"] != "r-1" || res["account_id"] == "" {
				t.Errorf("result = %v", res)
			}
			if msgs := firstPasswordMessages(env, phone); len(msgs) != 1 {
				t.Errorf("first-password messages = %d %q, want exactly 1", len(msgs), msgs)
			}
			ids, _ := env.App.DB.FindAccounts(context.Background(), "phone", phone)
			if len(ids) != 1 {
				t.Errorf("accounts with the phone = %d, want 1", len(ids))
			}
			other := sidorov("r-1", phone, "112-233-445 95", "link")
			if st, p := sys.json(t, "POST", "/api/v1/operator/registrations", other); st != 409 || p["code"] != "request_id_reused" {
				t.Errorf("same id, other data: %d %v", st, p)
			}
			st, e := sys.json(t, "GET", "/api/v1/operator/requests/r-1", nil)
			if st != 200 || e["state"] != "done" || e["type"] != "register" || e["subject"] != res["account_id"] || e["code"] != "ok" {
				t.Errorf("GET request: %d %v", st, e)
			}
			if st, p := sys.json(t, "GET", "/api/v1/operator/requests/nope", nil); st != 404 || p["code"] != "request_not_found" {
				t.Errorf("GET unknown request: %d %v", st, p)
			}
			// A refusal is recorded and replayed as it was.
			bad := sidorov("b-1", "+79167001002", "112-233-445 96", "")
			stb1, bb1 := sys.send(t, "POST", "/api/v1/operator/registrations", bad, "")
			stb2, bb2 := sys.send(t, "POST", "/api/v1/operator/registrations", bad, "")
			if stb1 != 422 || stb2 != 422 || !bytes.Equal(bb1, bb2) || !strings.Contains(string(bb1), "snils_checksum") {
				t.Errorf("bad input: %d %s then %d %s", stb1, bb1, stb2, bb2)
			}
			dup := sidorov("r-2", "+79167001003", "112-233-445 95", "")
			if st, p := sys.json(t, "POST", "/api/v1/operator/registrations", dup); st != 409 || p["code"] != "account_confirmed" {
				t.Errorf("same person again: %d %v", st, p)
			}
			st, ex := sys.json(t, "GET", "/api/v1/operator/accounts?snils=11223344595", nil)
			if st != 200 || ex["exists"] != true || ex["level"] != "confirmed" || len(ex) != 2 {
				t.Errorf("exists: %d %v", st, ex)
			}
			if st, p := sys.json(t, "POST", "/api/v1/operator/search", map[string]any{"snils": "11223344595"}); st != 422 ||
				!strings.Contains(fmt.Sprint(p["errors"]), "reason_required") {
				t.Errorf("search without a reason: %d %v", st, p)
			}
			st, f := sys.json(t, "POST", "/api/v1/operator/search", map[string]any{"snils": "11223344595", "reason": "визит"})
			if st != 200 || f["exists"] != true || f["advice"] != "restore" || f["person"].(map[string]any)["phone"] == phone {
				t.Errorf("search: %d %v", st, f)
			}
			// The temporary password: forced change at the first sign-in, end to end.
			temp := firstPasswordMessages(env, phone)[0]
			temp = strings.Fields(temp[strings.Index(temp, "пароль: ")+len("пароль: "):])[0]
			if st, p, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": phone, "password": temp}, ""); st != 403 || p["code"] != "password_change_required" {
				t.Fatalf("sign-in with the temporary password: %d %v", st, p)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": phone, "password": temp,
				"new_password": "Maple-Harbor-77"}, ""); st != 201 {
				t.Fatalf("sign-in changing the password: %d %v", st, p)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": phone, "password": "Maple-Harbor-77"}, ""); st != 201 {
				t.Errorf("sign-in with the new password: %d %v", st, p)
			}
		})
	}
}

func TestOperatorAPIActivation(t *testing.T) {
	env := apptest.New(t)
	sys := newCenterSystem(t, env, "demo-tverskaya")
	sys.operator = staffAt(t, env, "+79161000002", "demo-tverskaya")
	const phone = "+79167002001"
	if st, b := sys.send(t, "POST", "/api/v1/operator/registrations", sidorov("l-1", phone, "112-233-445 95", "link"), ""); st != 201 {
		t.Fatalf("register: %d %s", st, b)
	}
	msg := firstPasswordMessages(env, phone)[0]
	token := strings.Fields(msg[strings.Index(msg, "/activate/")+len("/activate/"):])[0]
	if st, p, _ := call(t, env, "POST", "/api/v1/activations/"+token, map[string]any{"password": "x"}, ""); st != 422 || p["code"] != "password_too_weak" {
		t.Errorf("weak password: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/activations/"+token, map[string]any{"password": "Maple-Harbor-77"}, ""); st != 200 || p["account_id"] == nil {
		t.Fatalf("activate: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/activations/"+token, map[string]any{"password": "Maple-Harbor-78"}, ""); st != 410 || p["code"] != "activation_invalid" {
		t.Errorf("second use: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": phone, "password": "Maple-Harbor-77"}, ""); st != 201 {
		t.Errorf("sign-in after activation: %d %v", st, p)
	}
}

// TestOperatorAPIPermissions: only a center's system, with a fresh assertion, acting for
// staff of its own center, reaches the operator API.
func TestOperatorAPIPermissions(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			sysA := newCenterSystem(t, env, "demo-tverskaya")
			opA := staffAt(t, env, "+79161000003", "demo-tverskaya")
			opB := staffAt(t, env, "+79161000004", "demo-arbat")
			citizen, session := register(t, env, "+79161000005", "", strong)
			bankSys := newCenterSystem(t, env, "demo-tverskaya", rp.RoleBank)
			replayed := sysA.assertion(t, nil)
			sysA.operator = opA
			if st, _ := sysA.send(t, "GET", "/api/v1/operator/requests/x", nil, replayed); st != 404 {
				t.Fatalf("first use of an assertion: %d", st)
			}
			edited := func(edit func(*jwt.Claims)) func() string {
				return func() string { return sysA.assertion(t, edit) }
			}
			fixed := func(tok string) func() string { return func() string { return tok } }
			for name, c := range map[string]struct {
				operator string
				token    func() string
				st       int
				code     string
			}{
				"operator of B via A's system": {opB, fixed(""), 403, "forbidden"},
				"not staff":                    {citizen, fixed(""), 403, "forbidden"},
				"no operator header":           {"", fixed(""), 403, "forbidden"},
				"citizen session token":        {opA, fixed(session), 401, "invalid_client"},
				"bank client":                  {opA, func() string { return bankSys.assertion(t, nil) }, 403, "forbidden"},
				"replayed assertion":           {opA, fixed(replayed), 401, "invalid_client"},
				"partner audience": {opA, edited(func(c *jwt.Claims) {
					c.Audience = jwt.Audience{env.URL + "/api/v1/partner"}
				}), 401, "invalid_client"},
				"expired": {opA, edited(func(c *jwt.Claims) {
					c.IssuedAt, c.Expiry = jwt.NewNumericDate(time.Now().Add(-5*time.Minute)), jwt.NewNumericDate(time.Now().Add(-time.Minute))
				}), 401, "invalid_client"},
			} {
				for _, path := range []string{"/api/v1/operator/registrations", "/api/v1/operator/search", "/api/v1/operator/accounts?snils=11223344595"} {
					method, body := "POST", any(sidorov("p-1", "+79167003001", "112-233-445 95", ""))
					if strings.Contains(path, "search") {
						body = map[string]any{"reason": "x", "snils": "11223344595"}
					}
					if strings.Contains(path, "accounts") {
						method, body = "GET", nil
					}
					sysA.operator = c.operator
					st, raw := sysA.send(t, method, path, body, c.token())
					var p map[string]any
					_ = json.Unmarshal(raw, &p)
					if st != c.st || p["code"] != c.code {
						t.Errorf("%s, %s: %d %v, want %d %s", name, path, st, p, c.st, c.code)
					}
				}
			}
			sysA.operator = opA
			if st, p := sysA.json(t, "GET", "/api/v1/operator/requests/p-1", nil); st != 404 {
				t.Errorf("a forbidden request left a ledger entry: %d %v", st, p)
			}
			// The token endpoint and the issuer are accepted audiences too.
			tok := edited(func(c *jwt.Claims) { c.Audience = jwt.Audience{env.URL} })()
			if st, raw := sysA.send(t, "GET", "/api/v1/operator/accounts?snils=11223344595", nil, tok); st != 200 {
				t.Errorf("issuer audience: %d %s", st, raw)
			}
		})
	}
}
