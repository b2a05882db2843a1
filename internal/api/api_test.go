package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/app/apptest"
)

const strong = "Zebra-Castle-42"

func TestRegisterSignInSignOut(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			id, token := register(t, env, "+7 916 123-45-67", "Maria@Example.RU", strong)

			st, me, _ := call(t, env, "GET", "/api/v1/me", nil, token)
			if st != http.StatusOK || me["id"] != id || me["level"] != "simplified" || me["last_name"] != "Иванова" {
				t.Fatalf("GET /me = %d %v", st, me)
			}
			wantContacts := []any{
				map[string]any{"kind": "phone", "value": "+79161234567", "confirmed": true},
				map[string]any{"kind": "email", "value": "maria@example.ru", "confirmed": true},
			}
			if diff := cmp.Diff(wantContacts, me["contacts"]); diff != "" {
				t.Errorf("contacts (-want +got):\n%s", diff)
			}
			next := me["next_level"].(map[string]any)
			if next["level"] != "standard" || !slices.Contains(next["needs"].([]any), any("snils")) {
				t.Errorf("next_level = %v", next)
			}

			if st, _, _ := call(t, env, "DELETE", "/api/v1/sessions/current", nil, token); st != http.StatusNoContent {
				t.Fatalf("logout = %d", st)
			}
			if st, p, _ := call(t, env, "GET", "/api/v1/me", nil, token); st != http.StatusUnauthorized || p["code"] != "unauthorized" {
				t.Errorf("GET /me after logout = %d %v", st, p)
			}

			for _, login := range []string{"+7 916 123-45-67", "8 (916) 1234567", "9161234567", "+79161234567", "MARIA@example.ru"} {
				st, out, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": login, "password": strong}, "")
				if st != http.StatusCreated || out["account_id"] != id || out["session_token"] == "" {
					t.Errorf("login %q = %d %v", login, st, out)
				}
			}
		})
	}
}

func TestWrongPasswordAndUnknownLoginLookTheSame(t *testing.T) {
	env := apptest.New(t)
	register(t, env, "+79161234567", "", strong)
	st1, p1, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": "+79161234567", "password": "Wrong-Pass-1"}, "")
	st2, p2, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": "+79169999999", "password": "Wrong-Pass-1"}, "")
	st3, p3, _ := call(t, env, "POST", "/api/v1/sessions", map[string]any{"login": "nobody@example.ru", "password": "Wrong-Pass-1"}, "")
	if st1 != http.StatusUnauthorized || p1["code"] != "invalid_credentials" {
		t.Fatalf("wrong password = %d %v", st1, p1)
	}
	if st2 != st1 || !cmp.Equal(p1, p2) || st3 != st1 || !cmp.Equal(p1, p3) {
		t.Errorf("unknown login answers differ from wrong password:\n%d %v\n%d %v\n%d %v", st1, p1, st2, p2, st3, p3)
	}
}

func TestRegistrationWithTakenContactAnswersTheSame(t *testing.T) {
	env := apptest.New(t)
	register(t, env, "+79161234567", "", strong)
	before := len(env.Messages("+79161234567"))

	st, out, _ := call(t, env, "POST", "/api/v1/registrations", map[string]any{
		"last_name": "Чужой", "first_name": "Человек", "phone": "8 916 123 45 67"}, "")
	if st != http.StatusCreated || !cmp.Equal(out["codes_sent"], []any{"phone"}) {
		t.Fatalf("registration with a taken phone = %d %v; want 201 like any other", st, out)
	}
	msgs := env.Messages("+79161234567")
	if len(msgs) != before+1 || !strings.Contains(msgs[0].Body, "уже есть") || strings.Contains(msgs[0].Body, "код подтверждения") {
		t.Fatalf("the owner should get a warning, not a code; newest message: %q", msgs[0].Body)
	}
	id := out["id"].(string)
	for _, code := range []string{"000000", "123456"} {
		st, p, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/confirm", map[string]any{"channel": "phone", "code": code}, "")
		if st != http.StatusUnprocessableEntity || p["code"] != "code_invalid" {
			t.Errorf("confirm on a taken phone = %d %v; want code_invalid", st, p)
		}
	}
}

func TestCodeAttemptsExpiryAndResend(t *testing.T) {
	env := apptest.New(t)
	st, reg, _ := call(t, env, "POST", "/api/v1/registrations", map[string]any{
		"last_name": "Петров", "first_name": "Пётр", "email": "petr@example.ru"}, "")
	if st != http.StatusCreated {
		t.Fatalf("register: %d %v", st, reg)
	}
	id := reg["id"].(string)
	code := env.Code("petr@example.ru")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	confirm := func(c string) (int, string) {
		st, p, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/confirm", map[string]any{"channel": "email", "code": c}, "")
		code, _ := p["code"].(string)
		return st, code
	}
	for i, want := range []string{"code_invalid", "code_invalid", "code_attempts_exceeded", "code_attempts_exceeded"} {
		c := wrong
		if i == 3 {
			c = code // even the right code fails once the attempts are used up
		}
		if st, got := confirm(c); st != http.StatusUnprocessableEntity || got != want {
			t.Errorf("attempt %d: %d %s, want 422 %s", i+1, st, got, want)
		}
	}
	st, p, h := call(t, env, "POST", "/api/v1/registrations/"+id+"/resend", map[string]any{"channel": "email"}, "")
	if st != http.StatusTooManyRequests || p["code"] != "rate_limited" || h.Get("Retry-After") == "" {
		t.Errorf("resend within the cooldown = %d %v Retry-After=%q", st, p, h.Get("Retry-After"))
	}

	shift(env, 61*time.Second)
	if st, p, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/resend", map[string]any{"channel": "email"}, ""); st != http.StatusOK {
		t.Fatalf("resend after the cooldown = %d %v", st, p)
	}
	fresh := env.Code("petr@example.ru")
	shift(env, 301*time.Second)
	if st, got := confirm(fresh); got != "code_expired" {
		t.Errorf("code after 301 s: %d %s, want code_expired", st, got)
	}
	shift(env, 60*time.Second)
	call(t, env, "POST", "/api/v1/registrations/"+id+"/resend", map[string]any{"channel": "email"}, "")
	if st, got := confirm(env.Code("petr@example.ru")); st != http.StatusOK {
		t.Errorf("fresh code: %d %s", st, got)
	}
}

// shift moves the flow and session clocks forward by d.
func shift(env *apptest.Env, d time.Duration) {
	prev := env.App.Flows.Now
	env.App.Flows.Now = func() time.Time { return prev().Add(d) }
	env.App.Flows.Limiter.Now = env.App.Flows.Now
}

func TestExpiredAndUnknownRegistration(t *testing.T) {
	env := apptest.New(t)
	st, p, _ := call(t, env, "POST", "/api/v1/registrations/0190a0a0-0000-7000-8000-000000000000/confirm",
		map[string]any{"channel": "phone", "code": "123456"}, "")
	if st != http.StatusNotFound || p["code"] != "registration_not_found" {
		t.Errorf("unknown registration = %d %v", st, p)
	}
	_, reg, _ := call(t, env, "POST", "/api/v1/registrations", map[string]any{
		"last_name": "Петров", "first_name": "Пётр", "phone": "+79161230000"}, "")
	shift(env, 31*time.Minute)
	st, p, _ = call(t, env, "POST", "/api/v1/registrations/"+reg["id"].(string)+"/password", map[string]any{"password": strong}, "")
	if st != http.StatusGone || p["code"] != "registration_expired" {
		t.Errorf("expired registration = %d %v", st, p)
	}
}

func TestPasswordPolicyAndOrder(t *testing.T) {
	env := apptest.New(t)
	_, reg, _ := call(t, env, "POST", "/api/v1/registrations", map[string]any{
		"last_name": "Петров", "first_name": "Пётр", "phone": "+79161230001"}, "")
	id := reg["id"].(string)
	st, p, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/password", map[string]any{"password": strong}, "")
	if st != http.StatusConflict || p["code"] != "contacts_not_confirmed" {
		t.Errorf("password before any confirmation = %d %v", st, p)
	}
	call(t, env, "POST", "/api/v1/registrations/"+id+"/confirm", map[string]any{"channel": "phone", "code": env.Code("+79161230001")}, "")
	cases := map[string][]string{
		"short":        {"password:password_too_short", "password:password_needs_upper", "password:password_needs_digit", "password:password_needs_special"},
		"Password123!": {"password:password_too_common"},
		"ALLUPPER1!":   {"password:password_needs_lower"},
	}
	for pw, want := range cases {
		st, p, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/password", map[string]any{"password": pw}, "")
		if st != http.StatusUnprocessableEntity || p["code"] != "password_too_weak" || !cmp.Equal(fieldCodes(p), want) {
			t.Errorf("password %q = %d %v; want 422 password_too_weak %v", pw, st, p, want)
		}
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/password", map[string]any{"password": strong}, ""); st != http.StatusCreated {
		t.Fatalf("strong password = %d %v", st, p)
	}
	if st, p, _ := call(t, env, "POST", "/api/v1/registrations/"+id+"/password", map[string]any{"password": strong}, ""); st != http.StatusConflict || p["code"] != "registration_completed" {
		t.Errorf("second completion = %d %v", st, p)
	}
}

func TestSendLimitPerTarget(t *testing.T) {
	env := apptest.New(t)
	body := map[string]any{"last_name": "Петров", "first_name": "Пётр", "phone": "+79161230002"}
	for i := 1; i <= 5; i++ {
		if st, p, _ := call(t, env, "POST", "/api/v1/registrations", body, ""); st != http.StatusCreated {
			t.Fatalf("registration %d = %d %v", i, st, p)
		}
	}
	st, p, h := call(t, env, "POST", "/api/v1/registrations", body, "")
	if st != http.StatusTooManyRequests || p["code"] != "rate_limited" || h.Get("Retry-After") == "" {
		t.Errorf("6th code to one phone within an hour = %d %v", st, p)
	}
	if n := len(env.Messages("+79161230002")); n != 5 {
		t.Errorf("messages sent = %d, want 5", n)
	}
}
