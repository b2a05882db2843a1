package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/letters"
)

// standardAccount registers an account and brings it to standard through the profile API and
// the registry simulator; the profile carries a registration address.
func standardAccount(t *testing.T, env *apptest.Env) (accountID, token string) {
	t.Helper()
	id, token := register(t, env, "+7 916 123-45-67", "", strong)
	prof := map[string]any{"registration_address": map[string]any{"zip_code": "101000", "region": "г. Москва",
		"city": "Москва", "street": "ул. Тверская", "house": "1", "flat": "5"}}
	for k, v := range ivanovProfile {
		if k != "vehicles" {
			prof[k] = v
		}
	}
	if st, out, _ := call(t, env, "PUT", "/api/v1/me/profile", prof, token); st != 200 {
		t.Fatalf("PUT profile: %d %v", st, out)
	}
	if st, out, _ := call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token); st != http.StatusAccepted {
		t.Fatalf("submit: %d %v", st, out)
	}
	env.Deliver()
	if _, me, _ := call(t, env, "GET", "/api/v1/me", nil, token); me["level"] != "standard" {
		t.Fatalf("level %v after the checks, want standard", me["level"])
	}
	return id, token
}

// printBatch runs the print batch in-process and returns the printed code of each letter.
func printBatch(t *testing.T, env *apptest.Env) map[string]string {
	t.Helper()
	codes := map[string]string{}
	_, err := env.App.Letters.Batch(context.Background(), letters.BatchOptions{}, func(b *letters.Batch) error {
		for _, p := range b.Letters {
			codes[p.ID] = p.Code
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes
}

// TestLettersAPI: order a letter, the batch prints it, tracking arrives through the admin API,
// and the code typed in lower case confirms the account.
func TestLettersAPI(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			const admin = "letters-admin-token-0123456789abcdef"
			env := apptest.New(t, apptest.WithDB(engine), apptest.WithAdminToken(admin))
			if st, p, _ := call(t, env, "GET", "/api/v1/me/letters", nil, ""); st != 401 || p["code"] != "unauthorized" {
				t.Errorf("GET without a session: %d %v", st, p)
			}
			_, simple := register(t, env, "", "simple@example.ru", strong)
			st, status, _ := call(t, env, "GET", "/api/v1/me/letters", nil, simple)
			if st != 200 || status["can_order"] != false || status["reason"] != "standard_level_required" || status["letter"] != nil {
				t.Errorf("simplified status: %d %v", st, status)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/letters", map[string]any{"postcode": "101000", "region": "Москва",
				"city": "Москва", "street": "Тверская", "house": "1"}, simple); st != 409 || p["code"] != "standard_level_required" {
				t.Errorf("order by a simplified account: %d %v", st, p)
			}

			_, token := standardAccount(t, env)
			st, status, _ = call(t, env, "GET", "/api/v1/me/letters", nil, token)
			wantPrefill := map[string]any{"postcode": "101000", "region": "г. Москва", "city": "Москва",
				"street": "ул. Тверская", "house": "1", "flat": "5"}
			if st != 200 || status["can_order"] != true || status["reason"] != nil || !cmp.Equal(status["prefill"], wantPrefill) {
				t.Errorf("standard status: %d %v", st, status)
			}
			st, p, _ := call(t, env, "POST", "/api/v1/me/letters", map[string]any{"postcode": "1010", "region": "",
				"city": "Москва", "street": "Тверская", "house": "1"}, token)
			if st != 422 || !cmp.Equal(fieldCodes(p), []string{"postcode:postcode_invalid", "region:required"}) {
				t.Errorf("bad address: %d %v", st, p)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/letters", map[string]any{"zip": "1"}, token); st != 422 ||
				!cmp.Equal(fieldCodes(p), []string{"zip:unknown_field"}) {
				t.Errorf("unknown field: %d %v", st, p)
			}
			st, status, _ = call(t, env, "POST", "/api/v1/me/letters", wantPrefill, token)
			letter, _ := status["letter"].(map[string]any)
			if st != 201 || letter["state"] != "ordered" || status["reason"] != "letter_too_soon" || status["next_order_at"] == nil {
				t.Fatalf("order: %d %v", st, status)
			}
			st, p, hdr := call(t, env, "POST", "/api/v1/me/letters", wantPrefill, token)
			if st != 429 || p["code"] != "letter_too_soon" || hdr.Get("Retry-After") == "" {
				t.Errorf("second order: %d %v %v", st, p, hdr)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/letters/confirm", map[string]any{"code": "7K3QD-M9XZ2"}, token); st != 409 || p["code"] != "letter_not_sent" {
				t.Errorf("confirm before printing: %d %v", st, p)
			}

			code := printBatch(t, env)[letter["id"].(string)]
			if code == "" {
				t.Fatal("the batch did not print the letter")
			}
			st, out, _ := call(t, env, "POST", "/api/v1/admin/letters/tracking", []map[string]any{
				{"letter_id": letter["id"], "tracking_number": "RA123456789RU", "state": "delivered"}}, admin)
			if st != 200 || !cmp.Equal(out["letters"], []any{map[string]any{"letter_id": letter["id"], "state": "delivered", "changed": true}}) {
				t.Errorf("tracking: %d %v", st, out)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/admin/letters/tracking", []map[string]any{{"letter_id": "x", "state": "lost"}}, admin); st != 422 ||
				!cmp.Equal(fieldCodes(p), []string{"[0].state:invalid_choice"}) {
				t.Errorf("bad tracking: %d %v", st, p)
			}
			if st, _, _ := call(t, env, "POST", "/api/v1/admin/letters/tracking", []map[string]any{}, token); st != 401 {
				t.Errorf("tracking with a citizen's token: %d", st)
			}
			_, status, _ = call(t, env, "GET", "/api/v1/me/letters", nil, token)
			letter = status["letter"].(map[string]any)
			if letter["state"] != "delivered" || letter["tracking_number"] != "RA123456789RU" || letter["expires_at"] == nil {
				t.Errorf("status after tracking: %v", status)
			}

			if st, p, _ := call(t, env, "POST", "/api/v1/me/letters/confirm", map[string]any{"code": "UUUUU-UUUUU"}, token); st != 422 ||
				!cmp.Equal(fieldCodes(p), []string{"code:code_format"}) {
				t.Errorf("code with U: %d %v", st, p)
			}
			wrong := "00000-00000"
			if code == wrong {
				wrong = "11111-11111"
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/letters/confirm", map[string]any{"code": wrong}, token); st != 422 || p["code"] != "code_invalid" {
				t.Errorf("wrong code: %d %v", st, p)
			}
			st, me, _ := call(t, env, "POST", "/api/v1/me/letters/confirm", map[string]any{"code": strings.ToLower(code)}, token)
			if st != 200 || me["level"] != "confirmed" || me["next_level"] != nil {
				t.Fatalf("confirm: %d %v", st, me)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/letters/confirm", map[string]any{"code": code}, token); st != 409 || p["code"] != "already_confirmed" {
				t.Errorf("confirm again: %d %v", st, p)
			}
			msgs := env.Messages("+79161234567")
			if len(msgs) == 0 || !strings.Contains(msgs[0].Body, "подтвержден") {
				t.Errorf("newest message %v, want the confirmation", msgs)
			}
		})
	}
}

// TestLettersWrongMethod: a wrong method, or the admin API switched off, answer not_found.
func TestLettersWrongMethod(t *testing.T) {
	env := apptest.New(t)
	if st, p, _ := call(t, env, "DELETE", "/api/v1/me/letters", nil, ""); st != 404 || p["code"] != "not_found" {
		t.Errorf("DELETE: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/admin/letters/tracking", []any{}, ""); st != 404 || p["code"] != "not_found" {
		t.Errorf("admin API without --admin-token: %d %v", st, p)
	}
}
