package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/pow"
)

// careProfile matches the dev simulator's sample person (SNILS, passport; the tax registry
// finds the INN 770123456703).
var careProfile = map[string]any{
	"personal": map[string]any{"last_name": "Иванов", "first_name": "Иван", "middle_name": "Иванович", "gender": "M",
		"birth_date": "1985-03-14", "birth_place": "г. Москва", "citizenship": "RUS"},
	"snils": "112-233-445 95",
	"id_doc": map[string]any{"type": "RF_PASSPORT", "series": "4509", "number": "123456", "issue_date": "2005-04-02",
		"issuer": "ОВД Тверского района г. Москвы", "department_code": "770001"},
}

// startRecovery starts a recovery the way a client does: without a proof of work first, then
// with the challenge of the pow_required answer solved.
func startRecovery(t *testing.T, env *apptest.Env, kind, value string) (int, map[string]any, http.Header) {
	t.Helper()
	body := map[string]any{"kind": kind, "value": value}
	st, p, _ := call(t, env, "POST", "/api/v1/recoveries", body, "")
	if st != http.StatusPreconditionRequired || p["code"] != "pow_required" {
		t.Fatalf("recovery without proof of work = %d %v, want 428 pow_required", st, p)
	}
	body["pow"] = careSolve(t, p)
	return call(t, env, "POST", "/api/v1/recoveries", body, "")
}

// solve solves the challenge of a pow_required problem.
func careSolve(t *testing.T, p map[string]any) pow.Solution {
	t.Helper()
	raw, _ := json.Marshal(p["pow"])
	var c pow.Challenge
	if err := json.Unmarshal(raw, &c); err != nil || c.Value == "" || c.Bits < 1 {
		t.Fatalf("pow_required without a challenge: %v", p)
	}
	return pow.Solve(c)
}

// recoveryStep posts to a step of the recovery and fails unless it answers 200.
func recoveryStep(t *testing.T, env *apptest.Env, id, step string, body map[string]any) map[string]any {
	t.Helper()
	st, out, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/"+step, body, "")
	if st != http.StatusOK {
		t.Fatalf("recovery %s: %d %v", step, st, out)
	}
	return out
}

const carePassword = "Lantern-Orbit-77"

func careLogin(t *testing.T, env *apptest.Env, loginName, password string) (int, map[string]any) {
	t.Helper()
	st, out, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": loginName, "password": password}, "")
	return st, out
}

// TestRecoveryByPhone: the code reaches both contacts of a simplified account, the new password
// works, the old one and every session no longer do, and both contacts are told.
func TestRecoveryByPhone(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "+7 916 123-45-67", "maria@example.ru", strong)
			_, second := careLogin(t, env, "maria@example.ru", strong)

			st, rec, hdr := startRecovery(t, env, "phone", "8 916 123 45 67")
			if st != http.StatusCreated || rec["state"] != "awaiting_code" || hdr.Get("Location") != "/api/v1/recoveries/"+rec["id"].(string) {
				t.Fatalf("start: %d %v", st, rec)
			}
			id := rec["id"].(string)
			code := env.Code("+79161234567")
			if got := env.Code("maria@example.ru"); got != code {
				t.Errorf("email code %s, phone code %s: want the same code on both contacts", got, code)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/password", map[string]any{"password": carePassword}, ""); st != 409 || p["code"] != "recovery_wrong_step" {
				t.Errorf("password before the code: %d %v", st, p)
			}
			out := recoveryStep(t, env, id, "confirm", map[string]any{"code": code})
			if out["state"] != "awaiting_password" {
				t.Fatalf("after the code: %v, want awaiting_password (no documents, no question)", out)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/password", map[string]any{"password": "weak"}, ""); st != 422 || p["code"] != "password_too_weak" {
				t.Errorf("weak password: %d %v", st, p)
			}
			out = recoveryStep(t, env, id, "password", map[string]any{"password": carePassword})
			if out["state"] != "completed" {
				t.Fatalf("after the password: %v", out)
			}
			for _, tok := range []string{token, second["session_token"].(string)} {
				if st, _, _ := call(t, env, "GET", "/api/v1/me", nil, tok); st != http.StatusUnauthorized {
					t.Errorf("a session from before the recovery still works: %d", st)
				}
			}
			if st, _ := careLogin(t, env, "+79161234567", strong); st != http.StatusUnauthorized {
				t.Errorf("old password still signs in: %d", st)
			}
			if st, out := careLogin(t, env, "+79161234567", carePassword); st != http.StatusCreated {
				t.Errorf("new password: %d %v", st, out)
			}
			for _, to := range []string{"+79161234567", "maria@example.ru"} {
				if m := env.Messages(to)[0]; !strings.Contains(m.Body, "восстановление доступа") && !strings.Contains(m.Body, "access recovery") {
					t.Errorf("newest message to %s is not the recovery notice: %q", to, m.Body)
				}
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/confirm", map[string]any{"code": code}, ""); st != 409 || p["code"] != "recovery_completed" {
				t.Errorf("step after completion: %d %v", st, p)
			}
		})
	}
}

// TestRecoveryAnswersTheSameForUnknownIdentifiers: starting, wrong codes and the code limit look
// alike whether or not the identifier belongs to an account; only the owner's contact gets a
// message.
func TestRecoveryAnswersTheSameForUnknownIdentifiers(t *testing.T) {
	env := apptest.New(t)
	register(t, env, "+79161234567", "", strong)
	before := len(env.Messages("+79161234567"))

	for _, tc := range [][2]string{{"phone", "+79169999999"}, {"email", "nobody@example.ru"}, {"snils", "987-654-321 83"},
		{"passport", "4510 654321"}, {"inn", "500100732259"}} {
		stKnown, known, hKnown := startRecovery(t, env, "phone", "+79161234567")
		stUnknown, unknown, hUnknown := startRecovery(t, env, tc[0], tc[1])
		if stKnown != stUnknown || !cmp.Equal(careKeys(known), careKeys(unknown)) || known["state"] != unknown["state"] {
			t.Fatalf("%s: known %d %v, unknown %d %v", tc[0], stKnown, known, stUnknown, unknown)
		}
		if !careSameHeaders(hKnown, hUnknown) {
			t.Errorf("%s: headers differ: %v / %v", tc[0], hKnown, hUnknown)
		}
		if careRaw(t, env, known) != careRaw(t, env, unknown) {
			t.Errorf("%s: GET answers differ apart from ids and times", tc[0])
		}
		// Three wrong codes: the same answers, then the code is void.
		for i, want := range []string{"code_invalid", "code_invalid", "code_attempts_exceeded", "code_attempts_exceeded"} {
			for _, rec := range []map[string]any{known, unknown} {
				st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+rec["id"].(string)+"/confirm", map[string]any{"code": "000000"}, "")
				if st != 422 || p["code"] != want {
					t.Errorf("%s: wrong code %d: %d %v, want 422 %s", tc[0], i+1, st, p, want)
				}
			}
		}
		// Asking again at once: the same cooldown answer.
		st1, p1, _ := call(t, env, "POST", "/api/v1/recoveries/"+known["id"].(string)+"/resend", map[string]any{}, "")
		st2, p2, _ := call(t, env, "POST", "/api/v1/recoveries/"+unknown["id"].(string)+"/resend", map[string]any{}, "")
		if st1 != 429 || st2 != st1 || !cmp.Equal(p1, p2) {
			t.Errorf("%s: resend at once: %d %v / %d %v", tc[0], st1, p1, st2, p2)
		}
	}
	// After the code's lifetime both answer code_expired (fresh flows: no attempts spent).
	register(t, env, "", "known@example.ru", strong)
	_, known, _ := startRecovery(t, env, "email", "known@example.ru")
	_, unknown, _ := startRecovery(t, env, "email", "nobody2@example.ru")
	prev := env.App.Recovery.Now
	env.App.Recovery.Now = func() time.Time { return prev().Add(6 * time.Minute) }
	for _, rec := range []map[string]any{known, unknown} {
		if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+rec["id"].(string)+"/confirm", map[string]any{"code": "000000"}, ""); st != 422 || p["code"] != "code_expired" {
			t.Errorf("a code after its lifetime: %d %v", st, p)
		}
	}
	env.App.Recovery.Now = prev
	for _, to := range []string{"+79169999999", "nobody@example.ru"} {
		if n := len(env.Messages(to)); n != 0 {
			t.Errorf("%d messages to the unknown %s", n, to)
		}
	}
	// A code for each start until the phone's send limit (5 an hour, the registration's code
	// included); past it the code is skipped, and the answer stays the same.
	if n := len(env.Messages("+79161234567")) - before; n != 4 {
		t.Errorf("%d messages to the owner, want 4", n)
	}
}

func careKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// sameHeaders compares the answers' headers apart from the date, the request id and the id in
// Location.
func careSameHeaders(a, b http.Header) bool {
	strip := func(h http.Header) http.Header {
		c := h.Clone()
		for _, k := range []string{"Date", "X-Request-Id", "Content-Length"} {
			c.Del(k)
		}
		c.Set("Location", strings.Split(c.Get("Location"), "/recoveries/")[0])
		return c
	}
	return cmp.Equal(strip(a), strip(b))
}

// raw returns GET /recoveries/{id} as sent, with the id and times blanked.
func careRaw(t *testing.T, env *apptest.Env, rec map[string]any) string {
	t.Helper()
	resp, err := http.Get(env.URL + "/api/v1/recoveries/" + rec["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	s := strings.ReplaceAll(b.String(), rec["id"].(string), "ID")
	exp, _ := time.Parse(time.RFC3339, rec["expires_at"].(string))
	return strings.ReplaceAll(s, exp.UTC().Format(time.RFC3339), "T")
}

// TestRecoverySecretQuestion: after the code comes the question; answers compare normalised;
// wrong ones count, and spending them ends the flow.
func TestRecoverySecretQuestion(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "", "olga@example.ru", strong)
			st, q, _ := call(t, env, "PUT", "/api/v1/me/secret-question",
				map[string]any{"question": "Девичья фамилия матери?", "answer": "  Ёлкина  Петровна "}, token)
			if st != 200 || q["set"] != true || q["question"] != "Девичья фамилия матери?" {
				t.Fatalf("set question: %d %v", st, q)
			}

			_, rec, _ := startRecovery(t, env, "email", "OLGA@example.ru")
			id := rec["id"].(string)
			out := recoveryStep(t, env, id, "confirm", map[string]any{"code": env.Code("olga@example.ru")})
			if out["state"] != "awaiting_answer" || out["question"] != "Девичья фамилия матери?" {
				t.Fatalf("after the code: %v", out)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/answer", map[string]any{"answer": "Иванова"}, ""); st != 422 || p["code"] != "answer_invalid" {
				t.Errorf("wrong answer: %d %v", st, p)
			}
			out = recoveryStep(t, env, id, "answer", map[string]any{"answer": "елкина петровна"})
			if out["state"] != "awaiting_password" {
				t.Fatalf("after the answer: %v", out)
			}
			recoveryStep(t, env, id, "password", map[string]any{"password": carePassword})

			// Three wrong answers end a flow.
			_, rec, _ = startRecovery(t, env, "email", "olga@example.ru")
			id = rec["id"].(string)
			recoveryStep(t, env, id, "confirm", map[string]any{"code": env.Code("olga@example.ru")})
			for i, want := range []string{"answer_invalid", "answer_invalid", "recovery_failed", "recovery_failed"} {
				st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/answer", map[string]any{"answer": "нет"}, "")
				if p["code"] != want || (want == "recovery_failed") != (st == 409) {
					t.Errorf("wrong answer %d: %d %v, want %s", i+1, st, p, want)
				}
			}
		})
	}
}

// verifyProfile enters the sample person's data and runs the registry checks.
func careVerifyProfile(t *testing.T, env *apptest.Env, token string) {
	t.Helper()
	if st, p, _ := call(t, env, "PUT", "/api/v1/me/profile", careProfile, token); st != 200 {
		t.Fatalf("PUT profile: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/me/profile/submit", map[string]any{}, token); st != http.StatusAccepted {
		t.Fatalf("submit: %d %v", st, p)
	}
	env.Deliver()
	_, me, _ := call(t, env, "GET", "/api/v1/me", nil, token)
	if me["level"] != "standard" {
		t.Fatalf("the profile did not verify: %v", me)
	}
}

// TestRecoveryByDocuments: a standard account is found by its SNILS, passport or INN (the code
// goes to its contacts); begun with a contact, it must also give one of its documents.
func TestRecoveryByDocuments(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "+7 916 123-45-67", "", strong)
			careVerifyProfile(t, env, token)

			for i, tc := range [][2]string{{"snils", "11223344595"}, {"passport", "45 09 123456"}, {"inn", "770123456703"}} {
				st, rec, _ := startRecovery(t, env, tc[0], tc[1])
				if st != http.StatusCreated {
					t.Fatalf("start by %s: %d %v", tc[0], st, rec)
				}
				out := recoveryStep(t, env, rec["id"].(string), "confirm", map[string]any{"code": env.Code("+79161234567")})
				if out["state"] != "awaiting_password" {
					t.Fatalf("by %s after the code: %v, want awaiting_password (a document was given)", tc[0], out)
				}
				pw := carePassword + string(rune('a'+i))
				recoveryStep(t, env, rec["id"].(string), "password", map[string]any{"password": pw})
				if st, _ := careLogin(t, env, "+79161234567", pw); st != http.StatusCreated {
					t.Errorf("sign in after recovering by %s: %d", tc[0], st)
				}
			}

			_, rec, _ := startRecovery(t, env, "phone", "+79161234567")
			id := rec["id"].(string)
			out := recoveryStep(t, env, id, "confirm", map[string]any{"code": env.Code("+79161234567")})
			if out["state"] != "awaiting_identifier" || !cmp.Equal(out["identifiers"], []any{"snils", "passport", "inn"}) {
				t.Fatalf("by phone after the code: %v", out)
			}
			st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/identifier", map[string]any{"kind": "snils", "value": "987-654-321 83"}, "")
			if st != 422 || p["code"] != "identifier_invalid" {
				t.Errorf("wrong SNILS: %d %v", st, p)
			}
			out = recoveryStep(t, env, id, "identifier", map[string]any{"kind": "passport", "value": "4509123456"})
			if out["state"] != "awaiting_password" {
				t.Fatalf("after the passport: %v", out)
			}
		})
	}
}

// TestRecoveryWrongCodes: three wrong codes void the code; a right code after that is refused
// too.
func TestRecoveryWrongCodes(t *testing.T) {
	env := apptest.New(t)
	register(t, env, "+79161234567", "", strong)
	_, rec, _ := startRecovery(t, env, "phone", "+79161234567")
	id := rec["id"].(string)
	code := env.Code("+79161234567")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i, want := range []string{"code_invalid", "code_invalid", "code_attempts_exceeded"} {
		if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/confirm", map[string]any{"code": wrong}, ""); st != 422 || p["code"] != want {
			t.Errorf("wrong code %d: %d %v", i+1, st, p)
		}
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/confirm", map[string]any{"code": code}, ""); st != 422 || p["code"] != "code_attempts_exceeded" {
		t.Errorf("right code after the limit: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/recoveries/"+id+"/confirm", map[string]any{"code": "12"}, ""); st != 422 ||
		!cmp.Equal(fieldCodes(p), []string{"code:code_format"}) {
		t.Errorf("short code: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/recoveries", map[string]any{"kind": "fax", "value": "1"}, ""); st != 422 ||
		!cmp.Equal(fieldCodes(p), []string{"kind:invalid_choice"}) {
		t.Errorf("unknown kind: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "GET", "/api/v1/recoveries/nope", nil, ""); st != 404 || p["code"] != "recovery_not_found" {
		t.Errorf("unknown flow: %d %v", st, p)
	}
}
