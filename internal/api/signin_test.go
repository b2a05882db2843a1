package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/mfa/mfatest"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/pow"
)

const signinPassword = "Zebra-Castle-42"

// testClock drives the second factors' clock, so that TOTP codes of later time steps can be
// made without waiting.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func signinEnv(t *testing.T, engine string, opts ...apptest.Option) (*apptest.Env, *testClock) {
	t.Helper()
	env := apptest.New(t, append([]apptest.Option{apptest.WithDB(engine)}, opts...)...)
	c := &testClock{t: time.Now()}
	env.App.MFA.Now = c.now
	return env, c
}

// amrOf returns the methods of the session of token.
func amrOf(t *testing.T, env *apptest.Env, token string) []string {
	t.Helper()
	s, err := env.App.Sessions.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("session of token: %v", err)
	}
	return s.AMR
}

func wantStatus(t *testing.T, what string, st int, body map[string]any, status int, code string) {
	t.Helper()
	if st != status || (code != "" && body["code"] != code) {
		t.Fatalf("%s: %d %v, want %d %s", what, st, body, status, code)
	}
}

func login(t *testing.T, env *apptest.Env, body map[string]any) (int, map[string]any) {
	t.Helper()
	st, out, _ := call(t, env, "POST", "/api/v1/sessions", body, "")
	return st, out
}

// enableTOTP sets up an authenticator app for the session and returns its secret.
func enableTOTP(t *testing.T, env *apptest.Env, c *testClock, token string) string {
	t.Helper()
	st, setup, _ := call(t, env, "POST", "/api/v1/me/totp", nil, token)
	wantStatus(t, "begin TOTP", st, setup, http.StatusOK, "")
	secret := setup["secret"].(string)
	code, _ := totp.GenerateCode(secret, c.t)
	st, out, _ := call(t, env, "POST", "/api/v1/me/totp/confirm", map[string]any{"code": code}, token)
	wantStatus(t, "confirm TOTP", st, out, http.StatusNoContent, "")
	return secret
}

func TestSecondFactorTOTP(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env, c := signinEnv(t, engine)
			_, token := register(t, env, "+7 916 123-45-67", "", signinPassword)
			st, sf, _ := call(t, env, "GET", "/api/v1/me/second-factors", nil, token)
			if st != http.StatusOK || len(sf["methods"].([]any)) != 0 || sf["can_change"] != true {
				t.Fatalf("second factors of a new account: %d %v", st, sf)
			}
			st, setup, _ := call(t, env, "POST", "/api/v1/me/totp", nil, token)
			wantStatus(t, "begin TOTP", st, setup, http.StatusOK, "")
			secret := setup["secret"].(string)
			wrong := "000000"
			if good, _ := totp.GenerateCode(secret, c.t); good == wrong {
				wrong = "000001"
			}
			st, out, _ := call(t, env, "POST", "/api/v1/me/totp/confirm", map[string]any{"code": wrong}, token)
			wantStatus(t, "confirm with a wrong code", st, out, http.StatusUnprocessableEntity, "code_invalid")
			good, _ := totp.GenerateCode(secret, c.t)
			st, out, _ = call(t, env, "POST", "/api/v1/me/totp/confirm", map[string]any{"code": good}, token)
			wantStatus(t, "confirm", st, out, http.StatusNoContent, "")

			st, pending := login(t, env, map[string]any{"login": "8 (916) 123-45-67", "password": signinPassword})
			wantStatus(t, "sign in", st, pending, http.StatusAccepted, "")
			if got := pending["second_factor"].([]any); len(got) != 1 || got[0] != "totp" {
				t.Fatalf("second_factor = %v, want [totp]", got)
			}
			path := "/api/v1/sessions/" + pending["login_id"].(string) + "/second-factor"
			st, out, _ = call(t, env, "POST", path, map[string]any{"method": "sms", "code": "123456"}, "")
			wantStatus(t, "a method the account lacks", st, out, http.StatusUnprocessableEntity, "validation_failed")
			st, out, _ = call(t, env, "POST", path, map[string]any{"method": "totp", "code": good}, "")
			wantStatus(t, "the confirming code again", st, out, http.StatusUnprocessableEntity, "code_invalid")
			c.t = c.t.Add(30 * time.Second)
			next, _ := totp.GenerateCode(secret, c.t)
			st, out, _ = call(t, env, "POST", path, map[string]any{"method": "totp", "code": next, "remember_device": true}, "")
			wantStatus(t, "the right code", st, out, http.StatusCreated, "")
			amr := amrOf(t, env, out["session_token"].(string))
			if !slices.Equal(amr, []string{"pwd", "otp", "mfa"}) || oidc.AALOf(amr) != oidc.AAL2 {
				t.Errorf("amr = %v (aal %s), want [pwd otp mfa] (aal 2)", amr, oidc.AALOf(amr))
			}
			device, _ := out["device_token"].(string)
			if device == "" || out["device_expires_at"] == nil {
				t.Fatalf("no device token: %v", out)
			}
			st, out, _ = call(t, env, "POST", path, map[string]any{"method": "totp", "code": next}, "")
			wantStatus(t, "the finished sign-in again", st, out, http.StatusNotFound, "login_not_found")

			// A remembered device skips the second factor, and it does not count as one.
			st, out = login(t, env, map[string]any{"login": "+79161234567", "password": signinPassword, "device_token": device})
			wantStatus(t, "sign in from the remembered device", st, out, http.StatusCreated, "")
			if amr := amrOf(t, env, out["session_token"].(string)); !slices.Equal(amr, []string{"pwd"}) {
				t.Errorf("amr from a remembered device = %v, want [pwd]", amr)
			}
			st, out = login(t, env, map[string]any{"login": "+79161234567", "password": signinPassword, "device_token": device + "x"})
			wantStatus(t, "sign in with a wrong device token", st, out, http.StatusAccepted, "")
		})
	}
}

func TestSecondFactorSMS(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env, _ := signinEnv(t, engine)
			_, token := register(t, env, "+7 916 123-45-67", "", signinPassword)
			st, out, _ := call(t, env, "POST", "/api/v1/me/second-factors/sms", nil, token)
			wantStatus(t, "enable SMS", st, out, http.StatusNoContent, "")
			st, pending := login(t, env, map[string]any{"login": "+79161234567", "password": signinPassword})
			wantStatus(t, "sign in", st, pending, http.StatusAccepted, "")
			id := pending["login_id"].(string)
			st, out, _ = call(t, env, "POST", "/api/v1/sessions/"+id+"/second-factor", map[string]any{"method": "sms", "code": "123456"}, "")
			wantStatus(t, "a code before any was sent", st, out, http.StatusUnprocessableEntity, "code_expired")
			st, out, _ = call(t, env, "POST", "/api/v1/sessions/"+id+"/sms", nil, "")
			if st != http.StatusOK || out["sent_to"] != "+7 916 ***-**-67" {
				t.Fatalf("send: %d %v", st, out)
			}
			st, out, hdr := call(t, env, "POST", "/api/v1/sessions/"+id+"/sms", nil, "")
			wantStatus(t, "send again at once", st, out, http.StatusTooManyRequests, "rate_limited")
			if hdr.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			code := env.Code("+79161234567")
			st, out, _ = call(t, env, "POST", "/api/v1/sessions/"+id+"/second-factor", map[string]any{"method": "sms", "code": code}, "")
			wantStatus(t, "the SMS code", st, out, http.StatusCreated, "")
			if amr := amrOf(t, env, out["session_token"].(string)); !slices.Equal(amr, []string{"pwd", "sms", "mfa"}) {
				t.Errorf("amr = %v, want [pwd sms mfa]", amr)
			}
		})
	}
}

func TestSecondFactorRecoveryCode(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env, c := signinEnv(t, engine)
			_, token := register(t, env, "", "rc@example.ru", signinPassword)
			enableTOTP(t, env, c, token)
			st, rc, _ := call(t, env, "POST", "/api/v1/me/recovery-codes", nil, token)
			if st != http.StatusCreated || len(rc["codes"].([]any)) != 10 {
				t.Fatalf("recovery codes: %d %v", st, rc)
			}
			code := rc["codes"].([]any)[0].(string)
			for i, want := range []int{http.StatusCreated, http.StatusUnprocessableEntity} {
				st, pending := login(t, env, map[string]any{"login": "RC@example.ru", "password": signinPassword})
				if st != http.StatusAccepted || !slices.Contains(pending["second_factor"].([]any), any("recovery_code")) {
					t.Fatalf("sign in: %d %v", st, pending)
				}
				st, out, _ := call(t, env, "POST", "/api/v1/sessions/"+pending["login_id"].(string)+"/second-factor",
					map[string]any{"method": "recovery_code", "code": code}, "")
				if st != want {
					t.Fatalf("use %d of a recovery code: %d %v, want %d", i+1, st, out, want)
				}
			}
			st, sf, _ := call(t, env, "GET", "/api/v1/me/second-factors", nil, token)
			if st != http.StatusOK || sf["recovery_codes_left"] != float64(9) || sf["totp"] != true {
				t.Errorf("second factors: %d %v", st, sf)
			}
		})
	}
}

func TestPasskeyAPI(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env, _ := signinEnv(t, engine, apptest.WithIssuerHost("localhost"))
			accountID, token := register(t, env, "", "pk@example.ru", signinPassword)
			key := mfatest.New(env.App.Config.Issuer)
			st, begin, _ := call(t, env, "POST", "/api/v1/me/passkeys/register/begin", nil, token)
			wantStatus(t, "begin registration", st, begin, http.StatusOK, "")
			answer, err := key.Create(mustJSON(t, begin["options"]))
			if err != nil {
				t.Fatal(err)
			}
			st, pk, _ := call(t, env, "POST", "/api/v1/me/passkeys/register/finish",
				map[string]any{"ceremony_id": begin["ceremony_id"], "name": "Телефон", "credential": json.RawMessage(answer)}, token)
			if st != http.StatusCreated || pk["name"] != "Телефон" || pk["last_used_at"] != nil {
				t.Fatalf("finish registration: %d %v", st, pk)
			}

			// As a second factor.
			st, pending := login(t, env, map[string]any{"login": "pk@example.ru", "password": signinPassword})
			wantStatus(t, "sign in", st, pending, http.StatusAccepted, "")
			id := pending["login_id"].(string)
			st, opts, _ := call(t, env, "POST", "/api/v1/sessions/"+id+"/passkey", nil, "")
			wantStatus(t, "passkey prompt", st, opts, http.StatusOK, "")
			assertion, _ := key.Get(mustJSON(t, opts["options"]))
			st, out, _ := call(t, env, "POST", "/api/v1/sessions/"+id+"/second-factor",
				map[string]any{"method": "passkey", "credential": json.RawMessage(assertion)}, "")
			wantStatus(t, "passkey as a second factor", st, out, http.StatusCreated, "")
			if amr := amrOf(t, env, out["session_token"].(string)); !slices.Equal(amr, []string{"pwd", "hwk", "user", "mfa"}) ||
				oidc.AALOf(amr) != oidc.AAL2PHR {
				t.Errorf("amr = %v, want [pwd hwk user mfa] (aal 2-phr)", amr)
			}

			// Without a password.
			st, start, _ := call(t, env, "POST", "/api/v1/passkeys/login/begin", nil, "")
			wantStatus(t, "passkey sign-in prompt", st, start, http.StatusOK, "")
			assertion, _ = key.Get(mustJSON(t, start["options"]))
			finish := map[string]any{"login_id": start["login_id"], "credential": json.RawMessage(assertion)}
			st, out, _ = call(t, env, "POST", "/api/v1/passkeys/login/finish", finish, "")
			if st != http.StatusCreated || out["account_id"] != accountID {
				t.Fatalf("passkey sign-in: %d %v", st, out)
			}
			if amr := amrOf(t, env, out["session_token"].(string)); !slices.Equal(amr, []string{"hwk", "user", "mfa"}) {
				t.Errorf("amr = %v, want [hwk user mfa]", amr)
			}
			st, out, _ = call(t, env, "POST", "/api/v1/passkeys/login/finish", finish, "")
			wantStatus(t, "the same answer again", st, out, http.StatusUnprocessableEntity, "passkey_invalid")

			st, out, _ = call(t, env, "DELETE", "/api/v1/me/passkeys/"+pk["id"].(string), nil, token)
			wantStatus(t, "remove", st, out, http.StatusNoContent, "")
			st, out, _ = call(t, env, "DELETE", "/api/v1/me/passkeys/"+pk["id"].(string), nil, token)
			wantStatus(t, "remove again", st, out, http.StatusNotFound, "not_found")
			st, out = login(t, env, map[string]any{"login": "pk@example.ru", "password": signinPassword})
			wantStatus(t, "sign in without second factors", st, out, http.StatusCreated, "")
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPasskeysOffOnAnIPAddress(t *testing.T) {
	env := apptest.New(t)
	st, out, _ := call(t, env, "POST", "/api/v1/passkeys/login/begin", nil, "")
	wantStatus(t, "passkeys on 127.0.0.1", st, out, http.StatusServiceUnavailable, "unavailable")
}

func TestReauthRequired(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env, c := signinEnv(t, engine)
			_, token := register(t, env, "", "reauth@example.ru", signinPassword)
			c.t = c.t.Add(11 * time.Minute) // the sign-in is now too old to change second factors
			st, out, _ := call(t, env, "POST", "/api/v1/me/totp", nil, token)
			wantStatus(t, "begin TOTP with an old sign-in", st, out, http.StatusForbidden, "reauth_required")
			st, sf, _ := call(t, env, "GET", "/api/v1/me/second-factors", nil, token)
			if st != http.StatusOK || sf["can_change"] != false {
				t.Errorf("second factors: %d %v, want can_change false", st, sf)
			}
			st, out, _ = call(t, env, "POST", "/api/v1/sessions/current/reauth", map[string]any{"password": "Wrong-Password-1"}, token)
			wantStatus(t, "reauth with a wrong password", st, out, http.StatusUnprocessableEntity, "validation_failed")
			if got := fieldCodes(out); !slices.Equal(got, []string{"password:wrong_password"}) {
				t.Errorf("errors = %v", got)
			}
			// The service's clock is the test clock, so the new sign-in time is recorded at it.
			env.App.Sessions.Now = c.now
			st, out, _ = call(t, env, "POST", "/api/v1/sessions/current/reauth", map[string]any{"password": signinPassword}, token)
			wantStatus(t, "reauth", st, out, http.StatusOK, "")
			st, out, _ = call(t, env, "POST", "/api/v1/me/totp", nil, token)
			wantStatus(t, "begin TOTP after reauth", st, out, http.StatusOK, "")
		})
	}
}

func TestPoWRequired(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env, _ := signinEnv(t, engine)
			register(t, env, "", "pow@example.ru", signinPassword)
			for range 3 {
				st, out := login(t, env, map[string]any{"login": "pow@example.ru", "password": "Wrong-Password-1"})
				wantStatus(t, "wrong password", st, out, http.StatusUnauthorized, "invalid_credentials")
			}
			body := map[string]any{"login": "POW@example.ru", "password": signinPassword}
			st, out := login(t, env, body)
			wantStatus(t, "the right password after three wrong", st, out, http.StatusPreconditionRequired, "pow_required")
			ch := powOf(t, out)
			if ch.Bits != 14 || ch.Algorithm != "SHA-256" {
				t.Errorf("challenge %+v, want 14 bits of SHA-256", ch)
			}
			sol := pow.Solve(ch)
			body["pow"] = sol
			st, out = login(t, env, body)
			wantStatus(t, "the right password with the solution", st, out, http.StatusCreated, "")
			st, out = login(t, env, body)
			wantStatus(t, "the same solution again", st, out, http.StatusPreconditionRequired, "pow_required")
			// Another failure makes the next challenge harder.
			st, out = login(t, env, map[string]any{"login": "pow@example.ru", "password": "Wrong-Password-1", "pow": pow.Solve(powOf(t, out))})
			wantStatus(t, "wrong password with a solution", st, out, http.StatusUnauthorized, "invalid_credentials")
			_, out = login(t, env, map[string]any{"login": "pow@example.ru", "password": signinPassword})
			if ch := powOf(t, out); ch.Bits != 15 {
				t.Errorf("after 4 failures the challenge has %d bits, want 15", ch.Bits)
			}
		})
	}
}

func powOf(t *testing.T, problem map[string]any) pow.Challenge {
	t.Helper()
	var ch pow.Challenge
	if err := json.Unmarshal(mustJSON(t, problem["pow"]), &ch); err != nil || ch.Value == "" {
		t.Fatalf("no challenge in %v: %v", problem, err)
	}
	return ch
}
