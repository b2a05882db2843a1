package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
)

// call sends a JSON request and decodes the JSON answer (if any) into a map.
func call(t testing.TB, env *apptest.Env, method, path string, body any, token string) (int, map[string]any, http.Header) {
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
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %q", req.Method, req.URL.Path, raw)
		}
	}
	return resp.StatusCode, out, resp.Header
}

// fieldCodes returns "field:code" for each entry of a problem's errors array.
func fieldCodes(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out = append(out, m["field"].(string)+":"+m["code"].(string))
	}
	return out
}

// register runs a whole registration and returns the session token.
func register(t *testing.T, env *apptest.Env, phone, email, password string) (accountID, token string) {
	t.Helper()
	body := map[string]any{"last_name": "Иванова", "first_name": "Мария", "middle_name": "Петровна"}
	if phone != "" {
		body["phone"] = phone
	}
	if email != "" {
		body["email"] = email
	}
	st, reg, _ := call(t, env, "POST", "/api/v1/registrations", body, "")
	if st != http.StatusCreated {
		t.Fatalf("register: %d %v", st, reg)
	}
	id := reg["id"].(string)
	for ch, to := range map[string]string{"phone": phone, "email": email} {
		if to == "" {
			continue
		}
		st, out, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/confirm",
			map[string]any{"channel": ch, "code": env.Code(normalize(to))}, "")
		if st != http.StatusOK {
			t.Fatalf("confirm %s: %d %v", ch, st, out)
		}
	}
	st, out, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/password", map[string]any{"password": password}, "")
	if st != http.StatusCreated {
		t.Fatalf("password: %d %v", st, out)
	}
	return out["account_id"].(string), out["session_token"].(string)
}

// normalize maps the test phones to E.164 as the dev outbox stores them.
func normalize(to string) string {
	switch to {
	case "+7 916 123-45-67", "8 (916) 123-45-67":
		return "+79161234567"
	}
	return strings.ToLower(to)
}
