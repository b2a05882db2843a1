package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/app/apptest"
)

func TestBadInput(t *testing.T) {
	env := apptest.New(t)
	cases := []struct {
		name, body, ctype string
		status            int
		code              string
		fields            []string
	}{
		{"malformed", `{"last_name":`, "application/json", 400, "malformed_json", nil},
		{"not an object", `[1,2]`, "application/json", 400, "malformed_json", nil},
		{"two objects", `{} {}`, "application/json", 400, "malformed_json", nil},
		{"wrong media type", `last_name=x`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", nil},
		{"too large", `{"last_name":"` + strings.Repeat("a", 70<<10) + `"}`, "application/json", 413, "body_too_large", nil},
		{"unknown field", `{"last_name":"A","first_name":"B","phone":"+79161234567","admin":true}`, "application/json", 422, "validation_failed", []string{"admin:unknown_field"}},
		{"wrong type", `{"last_name":1}`, "application/json", 422, "validation_failed", []string{"last_name:wrong_type"}},
		{"empty", `{}`, "application/json", 422, "validation_failed",
			[]string{"last_name:required", "first_name:required", "phone:contact_required", "email:contact_required"}},
		{"bad contacts", `{"last_name":"Иванов","first_name":"Иван","phone":"+7 700 123 45 67","email":"not-an-email"}`, "application/json", 422, "validation_failed",
			[]string{"phone:phone_invalid", "email:email_invalid"}},
		{"bad names", `{"last_name":"<script>","first_name":"` + strings.Repeat("я", 101) + `","email":"a@example.ru"}`, "application/json", 422, "validation_failed",
			[]string{"last_name:invalid_characters", "first_name:too_long"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", env.URL+"/api/v1/registrations", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.ctype)
			st, p, h := do(t, req)
			if st != c.status || p["code"] != c.code || !cmp.Equal(fieldCodes(p), c.fields) {
				t.Errorf("= %d %v; want %d %s %v", st, p, c.status, c.code, c.fields)
			}
			if ct := h.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if p["status"] != float64(c.status) || p["title"] == "" || p["type"] == "" {
				t.Errorf("problem document incomplete: %v", p)
			}
		})
	}
	// Nothing of a rejected request was kept: no message went out.
	if n := len(env.Messages("")); n != 0 {
		t.Errorf("%d messages sent for rejected requests", n)
	}
}

func TestConfirmInput(t *testing.T) {
	env := apptest.New(t)
	_, reg, _ := call(t, env, "POST", "/api/v1/registrations", map[string]any{"last_name": "А", "first_name": "Б", "phone": "+79161234567"}, "")
	id := reg["id"].(string)
	for body, want := range map[string][]string{
		`{"channel":"fax","code":"12"}`:       {"channel:invalid_choice", "code:code_format"},
		`{"channel":"email","code":"123456"}`: {"channel:not_in_registration"},
	} {
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/registrations/"+id+"/confirm", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		st, p, _ := do(t, req)
		if st != 422 || !cmp.Equal(fieldCodes(p), want) {
			t.Errorf("%s = %d %v; want %v", body, st, p, want)
		}
	}
}

func TestUnknownEndpointAndAuth(t *testing.T) {
	env := apptest.New(t)
	if st, p, _ := call(t, env, "GET", "/api/v1/nothing", nil, ""); st != 404 || p["code"] != "not_found" {
		t.Errorf("unknown endpoint = %d %v", st, p)
	}
	if st, p, h := call(t, env, "GET", "/api/v1/me", nil, "forged"); st != 401 || p["code"] != "unauthorized" || h.Get("WWW-Authenticate") == "" {
		t.Errorf("forged token = %d %v", st, p)
	}
}

func TestCrossOriginRefusedAsProblem(t *testing.T) {
	env := apptest.New(t)
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/sessions", strings.NewReader(`{"login":"a@example.ru","password":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	st, p, h := do(t, req)
	if st != http.StatusForbidden || p["code"] != "cross_origin_refused" || h.Get("Content-Type") != "application/problem+json" {
		t.Errorf("cross-site POST = %d %v %q", st, p, h.Get("Content-Type"))
	}
}

func TestDevOutboxFilterAcceptsAnyFormat(t *testing.T) {
	env := apptest.New(t)
	call(t, env, "POST", "/api/v1/registrations", map[string]any{"last_name": "А", "first_name": "Б", "phone": "+79161234567", "email": "a@example.ru"}, "")
	env.Deliver()
	for _, to := range []string{"8 (916) 123-45-67", "%2B79161234567", "A@Example.RU"} {
		resp, err := http.Get(env.URL + "/dev/outbox?to=" + strings.ReplaceAll(to, " ", "%20"))
		if err != nil {
			t.Fatal(err)
		}
		var msgs []map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&msgs)
		resp.Body.Close()
		if len(msgs) != 1 {
			t.Errorf("/dev/outbox?to=%s = %d messages, want 1", to, len(msgs))
		}
	}
}
