package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/app/apptest"
)

// Ivanov's data match the dev simulator's sample person.
var ivanovProfile = map[string]any{
	"personal": map[string]any{"last_name": "Иванов", "first_name": "Иван", "middle_name": "Иванович", "gender": "M",
		"birth_date": "1985-03-14", "birth_place": "г. Москва", "citizenship": "RUS"},
	"snils": "112-233-445 95",
	"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "4509", "number": "123456", "issue_date": "2005-04-02",
		"issuer": "ОВД Тверского района г. Москвы", "department_code": "770001"},
	"vehicles": []any{map[string]any{"plate": "a123bc77", "reg_cert_series": "7701", "reg_cert_number": "654321"}},
}

func item(p map[string]any, name string) map[string]any { return p[name].(map[string]any) }

func needs(me map[string]any) []string {
	var out []string
	for _, n := range me["next_level"].(map[string]any)["needs"].([]any) {
		out = append(out, n.(string))
	}
	return out
}

// TestProfileVerification walks the API: enter the data, submit, the checks run, the account
// becomes standard and can sign in with its SNILS.
func TestProfileVerification(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "+7 916 123-45-67", "", strong)
			st, prof, _ := call(t, env, "GET", "/api/v1/me/profile", nil, token)
			if st != 200 || prof["state"] != "editable" || item(prof, "snils")["state"] != "empty" || prof["verification"] != nil {
				t.Fatalf("empty profile: %d %v", st, prof)
			}

			st, prof, _ = call(t, env, "PUT", "/api/v1/me/profile", ivanovProfile, token)
			if st != 200 || item(prof, "snils")["state"] != "draft" || item(prof, "snils")["pending"] != "112-233-445 95" {
				t.Fatalf("PUT profile: %d %v", st, prof)
			}
			if doc := item(prof, "id_doc")["pending"].(map[string]any); doc["department_code"] != "770-001" {
				t.Errorf("department code = %v, want normalized 770-001", doc["department_code"])
			}
			if v := prof["vehicles"].([]any)[0].(map[string]any); v["plate"] != "А123ВС77" {
				t.Errorf("plate = %v, want Cyrillic А123ВС77", v["plate"])
			}
			_, me, _ := call(t, env, "GET", "/api/v1/me", nil, token)
			if got := needs(me); !cmp.Equal(got, []string{"registry_check"}) {
				t.Errorf("next_level needs %v, want [registry_check]", got)
			}

			st, sub, hdr := call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token)
			if st != http.StatusAccepted || sub["state"] != "checking" || len(sub["checks"].([]any)) != 3 ||
				hdr.Get("Location") != "/api/v1/me/profile/checks" {
				t.Fatalf("submit: %d %v", st, sub)
			}
			st, p, _ := call(t, env, "PUT", "/api/v1/me/profile", map[string]any{"snils": "987-654-321 83"}, token)
			if st != http.StatusConflict || p["code"] != "field_locked" || !cmp.Equal(fieldCodes(p), []string{"snils:field_locked"}) {
				t.Errorf("PUT snils under check: %d %v", st, p)
			}
			st, p, _ = call(t, env, "PUT", "/api/v1/me/profile", map[string]any{"vehicles": nil}, token)
			if st != 200 || len(p["vehicles"].([]any)) != 0 || p["state"] != "checking" {
				t.Errorf("PUT vehicles:null under check: %d %v", st, p)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token); st != 409 || p["code"] != "check_in_progress" {
				t.Errorf("second submit: %d %v", st, p)
			}

			env.Deliver() // run the checks
			st, checks, _ := call(t, env, "GET", "/api/v1/me/profile/checks", nil, token)
			last := checks["submissions"].([]any)[0].(map[string]any)
			if st != 200 || last["state"] != "verified" {
				t.Fatalf("checks: %d %v", st, checks)
			}
			_, prof, _ = call(t, env, "GET", "/api/v1/me/profile", nil, token)
			for _, name := range []string{"personal", "snils", "id_doc", "inn"} {
				if s := item(prof, name)["state"]; s != "verified" {
					t.Errorf("%s = %v, want verified", name, s)
				}
			}
			if inn := item(prof, "inn")["verified"]; inn != "770123456703" {
				t.Errorf("INN = %v, want the one the tax service holds", inn)
			}
			_, me, _ = call(t, env, "GET", "/api/v1/me", nil, token)
			if me["level"] != "standard" || !cmp.Equal(needs(me), []string{"identity_confirmation"}) {
				t.Errorf("after verification: level %v, needs %v", me["level"], needs(me))
			}
			msgs := env.Messages("+79161234567")
			if len(msgs) == 0 || !strings.Contains(msgs[0].Body, "стандартн") {
				t.Errorf("newest message = %+v, want the verification notice", msgs)
			}
			st, out, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": "11223344595", "password": strong}, "")
			if st != http.StatusCreated || out["session_token"] == nil {
				t.Errorf("sign-in with the SNILS: %d %v", st, out)
			}
		})
	}
}

func TestProfileFieldErrors(t *testing.T) {
	env := apptest.New(t)
	_, token := register(t, env, "+7 916 123-45-67", "", strong)
	for _, tc := range []struct {
		name string
		body map[string]any
		want []string
	}{
		{"check digits", map[string]any{"snils": "112-233-445 96", "inn": "500100732258"},
			[]string{"snils:snils_checksum", "inn:inn_checksum"}},
		{"passport", map[string]any{"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "45", "number": "123456",
			"issue_date": "2005-04-02", "issuer": "ОВД", "department_code": "77-01"}},
			[]string{"id_doc.series:series_invalid", "id_doc.department_code:department_code_invalid"}},
		{"personal", map[string]any{"personal": map[string]any{"last_name": "Иванов", "first_name": "Иван",
			"gender": "X", "birth_date": "2030-01-01", "birth_place": "Москва", "citizenship": "RUS"}},
			[]string{"personal.gender:invalid_choice", "personal.birth_date:date_in_future"}},
		{"unknown nested field", map[string]any{"personal": map[string]any{"nickname": "x"}}, []string{"personal.nickname:unknown_field"}},
		{"unknown item", map[string]any{"passport": map[string]any{}}, []string{"passport:unknown_field"}},
		{"wrong type", map[string]any{"snils": 11223344595.0}, []string{"snils:wrong_type"}},
		{"wrong nested type", map[string]any{"medical_policy": map[string]any{"number": 1}}, []string{"medical_policy.number:wrong_type"}},
		{"vehicles", map[string]any{"vehicles": []any{map[string]any{"plate": "XYZ", "reg_cert_series": "7701", "reg_cert_number": "1"}}},
			[]string{"vehicles[0].plate:plate_invalid", "vehicles[0].reg_cert_number:number_invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, p, _ := call(t, env, "PUT", "/api/v1/me/profile", tc.body, token)
			if got := fieldCodes(p); st != 422 || p["code"] != "validation_failed" || !cmp.Equal(got, tc.want) {
				t.Errorf("PUT %v = %d %v %v, want 422 %v", tc.body, st, p["code"], got, tc.want)
			}
		})
	}
	st, p, _ := call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token)
	if st != 409 || p["code"] != "nothing_to_check" {
		t.Errorf("submit of an empty profile: %d %v", st, p)
	}
	call(t, env, "PUT", "/api/v1/me/profile", map[string]any{"snils": "112-233-445 95"}, token)
	st, p, _ = call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token)
	if got := fieldCodes(p); st != 422 || !cmp.Equal(got, []string{"personal:required", "id_doc:required"}) {
		t.Errorf("submit of an incomplete profile: %d %v", st, p)
	}
	for _, path := range []string{"/api/v1/me/profile", "/api/v1/me/profile/checks"} {
		if st, p, _ := call(t, env, "GET", path, nil, ""); st != 401 || p["code"] != "unauthorized" {
			t.Errorf("GET %s without a token: %d %v", path, st, p)
		}
	}
}

// TestProfileCheckFails: the registry refuses the passport; the profile says which check and
// why, and the data can be corrected.
func TestProfileCheckFails(t *testing.T) {
	env := apptest.New(t)
	_, token := register(t, env, "", "anna@example.ru", strong)
	body := map[string]any{
		"personal": map[string]any{"last_name": "Петрова", "first_name": "Анна", "middle_name": "Сергеевна", "gender": "F",
			"birth_date": "1990-07-21", "birth_place": "г. Ленинград", "citizenship": "RUS"},
		"snils": "123-456-789 64",
		"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "4010", "number": "654321", "issue_date": "2010-08-10",
			"issuer": "ТП УФМС России", "department_code": "780-012"},
	}
	if st, p, _ := call(t, env, "PUT", "/api/v1/me/profile", body, token); st != 200 {
		t.Fatalf("PUT: %d %v", st, p)
	}
	call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token)
	env.Deliver()
	_, prof, _ := call(t, env, "GET", "/api/v1/me/profile", nil, token)
	doc := item(prof, "id_doc")
	failure, _ := doc["failure"].(map[string]any)
	if prof["state"] != "editable" || doc["state"] != "failed" || failure["reason"] != "document_invalid" ||
		failure["registry"] != "interior_ministry" || failure["message"] == "" {
		t.Errorf("id_doc after the failed check: %v", doc)
	}
	v := prof["verification"].(map[string]any)
	if v["state"] != "failed" || v["reason"] != "document_invalid" {
		t.Errorf("verification = %v", v)
	}
	if msgs := env.Messages("anna@example.ru"); len(msgs) == 0 || !strings.Contains(msgs[0].Subject, "не прошли") {
		t.Errorf("messages = %+v", msgs)
	}
	_, me, _ := call(t, env, "GET", "/api/v1/me", nil, token)
	if me["level"] != "simplified" {
		t.Errorf("level = %v", me["level"])
	}
}

// TestProfileSNILSTaken: a SNILS verified on one account is refused on another, whose
// citizen is pointed to recovery; the owner is told.
func TestProfileSNILSTaken(t *testing.T) {
	env := apptest.New(t)
	_, owner := register(t, env, "+7 916 123-45-67", "", strong)
	call(t, env, "PUT", "/api/v1/me/profile", ivanovProfile, owner)
	call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, owner)
	env.Deliver()
	before := len(env.Messages("+79161234567"))

	_, other := register(t, env, "", "other@example.ru", strong)
	call(t, env, "PUT", "/api/v1/me/profile", ivanovProfile, other)
	st, p, _ := call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, other)
	detail, _ := p["detail"].(string)
	if st != 409 || p["code"] != "snils_taken" || !strings.Contains(detail, "service center") {
		t.Fatalf("submit of a taken SNILS: %d %v", st, p)
	}
	msgs := env.Messages("+79161234567")
	if len(msgs) != before+1 || !strings.Contains(msgs[0].Body, "СНИЛС") || strings.Contains(msgs[0].Body, "other@") {
		t.Errorf("owner's messages: %d new, newest %+v", len(msgs)-before, msgs[0])
	}
	_, checks, _ := call(t, env, "GET", "/api/v1/me/profile/checks", nil, other)
	if subs := checks["submissions"].([]any); len(subs) != 0 {
		t.Errorf("the refused submission exists: %v", subs)
	}
	if len(fieldCodes(p)) != 0 {
		t.Errorf("snils_taken carries field errors: %v", fieldCodes(p))
	}
}
