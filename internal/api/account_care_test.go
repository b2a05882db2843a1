package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/deletion"
	"github.com/civis-id/civis/internal/jobs"
)

const (
	firefoxUA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	newPass   = "Harbor-Violet-93"
)

// loginAs signs in with a User-Agent and returns the session token.
func loginAs(t *testing.T, env *apptest.Env, loginName, password, ua string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"login": loginName, "password": password})
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/sessions", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	st, out, _ := do(t, req)
	if st != http.StatusCreated {
		t.Fatalf("sign in as %s: %d %v", loginName, st, out)
	}
	return out["session_token"].(string)
}

func alive(t *testing.T, env *apptest.Env, token string) bool {
	t.Helper()
	st, _, _ := call(t, env, "GET", "/api/v1/me", nil, token)
	return st == http.StatusOK
}

// TestRecoveryEndsTokensAndSites: after a recovery the site's refresh token no longer works
// and the site got a back-channel logout.
func TestRecoveryEndsTokensAndSites(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "+79161234567", "", strong)
			site := newCareRP(t, env)
			tok := site.tokens(token)
			if !site.refreshes(tok) {
				t.Fatal("the refresh token does not work before the recovery")
			}
			tok = site.tokens(token)

			_, rec, _ := startRecovery(t, env, "phone", "+79161234567")
			id := rec["id"].(string)
			recoveryStep(t, env, id, "confirm", map[string]any{"code": env.Code("+79161234567")})
			recoveryStep(t, env, id, "password", map[string]any{"password": carePassword})
			if site.refreshes(tok) {
				t.Error("the refresh token still works after the recovery")
			}
			env.Deliver()
			if site.loggedOut() == 0 {
				t.Error("the site got no back-channel logout")
			}
		})
	}
}

func TestSessionsListAndRevoke(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, first := register(t, env, "+79161234567", "", strong)
			second := loginAs(t, env, "+79161234567", strong, firefoxUA)

			st, list, _ := call(t, env, "GET", "/api/v1/me/sessions", nil, first)
			sessions, _ := list["sessions"].([]any)
			if st != 200 || len(sessions) != 2 {
				t.Fatalf("GET /me/sessions: %d %v", st, list)
			}
			var secondID string
			for _, x := range sessions {
				s := x.(map[string]any)
				if s["current"] == false {
					secondID = s["id"].(string)
					if s["browser"] != "Firefox 128" || s["os"] != "Linux" || s["ip"] != "127.0.0.1" || s["created_at"] == "" || s["last_used_at"] == "" {
						t.Errorf("the Firefox session reads %v", s)
					}
				}
			}
			if st, _, _ := call(t, env, "DELETE", "/api/v1/me/sessions/"+secondID, nil, first); st != http.StatusNoContent {
				t.Fatalf("revoke one: %d", st)
			}
			if alive(t, env, second) || !alive(t, env, first) {
				t.Errorf("after revoking the second session: second alive %v, first alive %v", alive(t, env, second), alive(t, env, first))
			}
			if st, p, _ := call(t, env, "DELETE", "/api/v1/me/sessions/"+secondID, nil, first); st != 404 || p["code"] != "not_found" {
				t.Errorf("revoke it again: %d %v", st, p)
			}

			third := loginAs(t, env, "+79161234567", strong, firefoxUA)
			_, other := register(t, env, "+79167654321", "", strong)
			st, out, _ := call(t, env, "DELETE", "/api/v1/me/sessions", nil, first)
			if st != 200 || out["ended"] != float64(1) || alive(t, env, third) || !alive(t, env, first) || !alive(t, env, other) {
				t.Errorf("sign out elsewhere: %d %v", st, out)
			}
			if st, p, _ := call(t, env, "DELETE", "/api/v1/me/sessions?include_current=maybe", nil, first); st != 422 || p["code"] != "validation_failed" {
				t.Errorf("bad include_current: %d %v", st, p)
			}
			st, out, _ = call(t, env, "DELETE", "/api/v1/me/sessions?include_current=true", nil, first)
			if st != 200 || out["ended"] != float64(1) || alive(t, env, first) {
				t.Errorf("sign out everywhere: %d %v", st, out)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "+79161234567", "maria@example.ru", strong)
			other := loginAs(t, env, "maria@example.ru", strong, firefoxUA)

			st, p, _ := call(t, env, "PUT", "/api/v1/me/password", map[string]any{"old_password": "Wrong-Pass-11", "new_password": newPass}, token)
			if st != 422 || !cmp.Equal(fieldCodes(p), []string{"old_password:wrong_password"}) {
				t.Errorf("wrong old password: %d %v", st, p)
			}
			st, p, _ = call(t, env, "PUT", "/api/v1/me/password", map[string]any{"old_password": strong, "new_password": "short"}, token)
			if st != 422 || p["code"] != "password_too_weak" || !strings.HasPrefix(fieldCodes(p)[0], "new_password:") {
				t.Errorf("weak new password: %d %v", st, p)
			}
			// Email only for password changes: the phone gets nothing.
			if st, p, _ := call(t, env, "PUT", "/api/v1/me/notifications", map[string]any{"password": map[string]any{"sms": false, "email": true}}, token); st != 200 {
				t.Fatalf("notification settings: %d %v", st, p)
			}
			phoneBefore := len(env.Messages("+79161234567"))
			st, out, _ := call(t, env, "PUT", "/api/v1/me/password", map[string]any{"old_password": strong, "new_password": newPass}, token)
			if st != 200 || out["sessions_ended"] != float64(1) {
				t.Fatalf("change password: %d %v", st, out)
			}
			if !alive(t, env, token) || alive(t, env, other) {
				t.Errorf("after the change: current alive %v (want true), other alive %v (want false)", alive(t, env, token), alive(t, env, other))
			}
			if st, _ := careLogin(t, env, "+79161234567", newPass); st != http.StatusCreated {
				t.Errorf("sign in with the new password: %d", st)
			}
			if m := env.Messages("maria@example.ru")[0]; !strings.Contains(m.Subject, "Пароль") {
				t.Errorf("the email was not told: %q", m.Subject)
			}
			if n := len(env.Messages("+79161234567")); n != phoneBefore {
				t.Errorf("the phone got %d messages though its password notices are off", n-phoneBefore)
			}
		})
	}
}

func TestNotificationSettings(t *testing.T) {
	env := apptest.New(t)
	_, token := register(t, env, "+79161234567", "", strong)
	st, p, _ := call(t, env, "GET", "/api/v1/me/notifications", nil, token)
	want := map[string]any{
		"sign_in": map[string]any{"sms": false, "email": false}, "password": map[string]any{"sms": true, "email": true},
		"contact": map[string]any{"sms": true, "email": true}, "second_factor": map[string]any{"sms": true, "email": true},
		"data_released": map[string]any{"sms": false, "email": false},
	}
	if st != 200 || !cmp.Equal(p, want) {
		t.Errorf("defaults: %d %v", st, p)
	}
	st, p, _ = call(t, env, "PUT", "/api/v1/me/notifications", map[string]any{"sign_in": map[string]any{"sms": true, "email": false}}, token)
	want["sign_in"] = map[string]any{"sms": true, "email": false}
	if st != 200 || !cmp.Equal(p, want) {
		t.Errorf("after PUT sign_in: %d %v", st, p)
	}
	if st, p, _ := call(t, env, "PUT", "/api/v1/me/notifications", map[string]any{"fax": map[string]any{}}, token); st != 422 {
		t.Errorf("unknown kind: %d %v", st, p)
	}
}

func TestChangeContact(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "+79161234567", "", strong)
			register(t, env, "", "taken@example.ru", strong)

			st, ch, hdr := call(t, env, "POST", "/api/v1/me/contacts", map[string]any{"kind": "phone", "value": "8 916 765 43 21"}, token)
			if st != 201 || ch["kind"] != "phone" || hdr.Get("Location") != "/api/v1/me/contacts/"+ch["id"].(string) {
				t.Fatalf("start: %d %v", st, ch)
			}
			oldBefore := len(env.Messages("+79161234567"))
			st, me, _ := call(t, env, "POST", "/api/v1/me/contacts/"+ch["id"].(string)+"/confirm", map[string]any{"code": env.Code("+79167654321")}, token)
			if st != 200 || !cmp.Equal(me["contacts"], []any{map[string]any{"kind": "phone", "value": "+79167654321", "confirmed": true}}) {
				t.Fatalf("confirm: %d %v", st, me)
			}
			if msgs := env.Messages("+79161234567"); len(msgs) != oldBefore+1 || !strings.Contains(msgs[0].Body, "изменён") {
				t.Errorf("the old phone was not told: %v", msgs[0].Body)
			}
			if st, _ := careLogin(t, env, "+79167654321", strong); st != http.StatusCreated {
				t.Errorf("sign in with the new phone: %d", st)
			}
			if st, _ := careLogin(t, env, "+79161234567", strong); st != http.StatusUnauthorized {
				t.Errorf("sign in with the old phone: %d", st)
			}

			// Another account's email: the same answer, no code, a warning to its owner.
			st2, taken, _ := call(t, env, "POST", "/api/v1/me/contacts", map[string]any{"kind": "email", "value": "taken@example.ru"}, token)
			st3, free, _ := call(t, env, "POST", "/api/v1/me/contacts", map[string]any{"kind": "email", "value": "free@example.ru"}, token)
			if st2 != 201 || st3 != 201 || !cmp.Equal(careKeys(taken), careKeys(free)) {
				t.Errorf("taken %d %v, free %d %v", st2, taken, st3, free)
			}
			if m := env.Messages("taken@example.ru")[0]; !strings.Contains(m.Body, "другой учётной записи") {
				t.Errorf("the owner of the taken email was not warned: %q", m.Body)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/contacts/"+taken["id"].(string)+"/confirm", map[string]any{"code": "123456"}, token); st != 422 || p["code"] != "code_invalid" {
				t.Errorf("a code for the taken email: %d %v", st, p)
			}
			if st, p, _ := call(t, env, "POST", "/api/v1/me/contacts", map[string]any{"kind": "phone", "value": "+79167654321"}, token); st != 422 ||
				!cmp.Equal(fieldCodes(p), []string{"value:same_as_current"}) {
				t.Errorf("the current phone again: %d %v", st, p)
			}

			// An hour after signing in, a contact change needs the password again.
			prev := env.App.Settings.Now
			env.App.Settings.Now = func() time.Time { return prev().Add(time.Hour) }
			if st, p, _ := call(t, env, "POST", "/api/v1/me/contacts", map[string]any{"kind": "email", "value": "later@example.ru"}, token); st != 403 || p["code"] != "reauth_required" {
				t.Errorf("stale session: %d %v", st, p)
			}
		})
	}
}

func TestEventLog(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			_, token := register(t, env, "+79161234567", "", strong)
			careLogin(t, env, "+79161234567", "Wrong-Pass-11")
			call(t, env, "PUT", "/api/v1/me/password", map[string]any{"old_password": strong, "new_password": newPass}, token)

			st, all, _ := call(t, env, "GET", "/api/v1/me/events", nil, token)
			events, _ := all["events"].([]any)
			var actions []string
			for _, e := range events {
				actions = append(actions, e.(map[string]any)["action"].(string))
			}
			for _, want := range []string{"account.created", "login.failed", "password.changed"} {
				if !slices.Contains(actions, want) {
					t.Errorf("GET /me/events: %d, actions %v lack %s", st, actions, want)
				}
			}
			_, pw, _ := call(t, env, "GET", "/api/v1/me/events?kind=password", nil, token)
			for _, e := range pw["events"].([]any) {
				if e.(map[string]any)["kind"] != "password" {
					t.Errorf("kind=password returned %v", e)
				}
			}
			if len(pw["events"].([]any)) != 1 {
				t.Errorf("kind=password: %v", pw)
			}
			tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
			if _, later, _ := call(t, env, "GET", "/api/v1/me/events?from="+tomorrow, nil, token); len(later["events"].([]any)) != 0 {
				t.Errorf("from tomorrow: %v", later)
			}
			if st, p, _ := call(t, env, "GET", "/api/v1/me/events?kind=fax", nil, token); st != 422 {
				t.Errorf("kind=fax: %d %v", st, p)
			}

			req, _ := http.NewRequest("GET", env.URL+"/api/v1/me/events?format=csv&kind=sign_in", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			rows, err := csv.NewReader(resp.Body).ReadAll()
			if err != nil || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(rows) < 2 {
				t.Fatalf("CSV: %v %q %v", err, resp.Header.Get("Content-Type"), rows)
			}
			if !cmp.Equal(rows[0], []string{"time", "category", "action", "actor", "ip", "details"}) {
				t.Errorf("CSV header %v", rows[0])
			}
			for _, r := range rows[1:] {
				if r[1] != "sign_in" {
					t.Errorf("CSV row %v is not a sign-in", r)
				}
			}
		})
	}
}

// laterRunner runs due jobs as if it were d later.
func laterRunner(env *apptest.Env, d time.Duration) *jobs.Runner {
	return &jobs.Runner{Store: env.App.DB, Handlers: env.App.Runner.Handlers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return time.Now().Add(d) }}
}

func TestDeleteAccount(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			id, token := register(t, env, "+79161234567", "maria@example.ru", strong)
			site := newCareRP(t, env)
			tok := site.tokens(token)
			ctx := context.Background()

			if st, p, _ := call(t, env, "DELETE", "/api/v1/me", map[string]any{"password": "Wrong-Pass-11"}, token); st != 422 ||
				!cmp.Equal(fieldCodes(p), []string{"password:wrong_password"}) {
				t.Errorf("delete with a wrong password: %d %v", st, p)
			}
			st, out, _ := call(t, env, "DELETE", "/api/v1/me", map[string]any{"password": strong}, token)
			eraseAfter, _ := time.Parse(time.RFC3339, out["erase_after"].(string))
			if st != 200 || eraseAfter.Sub(time.Now()) < 719*time.Hour || eraseAfter.Sub(time.Now()) > 721*time.Hour {
				t.Fatalf("delete: %d %v", st, out)
			}
			if alive(t, env, token) {
				t.Error("the session works after deletion")
			}
			if st, _ := careLogin(t, env, "+79161234567", strong); st != http.StatusUnauthorized {
				t.Errorf("sign in after deletion: %d", st)
			}
			if site.refreshes(tok) {
				t.Error("the site's refresh token works after deletion")
			}
			if m := env.Messages("maria@example.ru")[0]; !strings.Contains(m.Subject, "удалена") {
				t.Errorf("the email was not told: %q", m.Subject)
			}
			env.Deliver() // messages and the back-channel logout, not the erasure (due in 30 days)
			if site.loggedOut() == 0 {
				t.Error("the site got no back-channel logout")
			}

			// Restored before the retention ends: the erasure job later finds nothing to do.
			if err := env.App.Deletion.Restore(ctx, id, "operator:test"); err != nil {
				t.Fatalf("restore: %v", err)
			}
			if st, _ := careLogin(t, env, "+79161234567", strong); st != http.StatusCreated {
				t.Fatalf("sign in after restoring: %d", st)
			}
			laterRunner(env, 721*time.Hour).RunOnce(ctx)
			if acc, _ := env.App.DB.GetAccount(ctx, id); acc.LastName == "" || len(acc.Contacts) != 2 {
				t.Errorf("a restored account was erased: %+v", acc)
			}
			if err := env.App.Deletion.Restore(ctx, id, "operator:test"); !errors.Is(err, deletion.ErrNotDeleted) {
				t.Errorf("restore an active account: %v", err)
			}

			// Deleted again and left: erased after the retention period.
			token = loginAs(t, env, "+79161234567", strong, firefoxUA)
			if st, out, _ := call(t, env, "DELETE", "/api/v1/me", map[string]any{"password": strong}, token); st != 200 {
				t.Fatalf("delete again: %d %v", st, out)
			}
			laterRunner(env, 719*time.Hour).RunOnce(ctx)
			if acc, _ := env.App.DB.GetAccount(ctx, id); acc.LastName == "" {
				t.Error("erased before the retention period ended")
			}
			for laterRunner(env, 721*time.Hour).RunOnce(ctx) > 0 {
			}
			acc, err := env.App.DB.GetAccount(ctx, id)
			if err != nil || acc.LastName != "" || acc.FirstName != "" || len(acc.Contacts) != 0 {
				t.Errorf("after the retention period: %v %+v", err, acc)
			}
			if _, err := env.App.DB.GetPassword(ctx, id); err == nil {
				t.Error("the password hash survived erasure")
			}
			if err := env.App.Deletion.Restore(ctx, id, "operator:test"); !errors.Is(err, deletion.ErrErased) {
				t.Errorf("restore an erased account: %v", err)
			}
			events, _ := env.App.DB.AccountEvents(ctx, id, 100)
			if len(events) == 0 || events[0].Action != "account.erased" {
				t.Errorf("the audit chain does not end with the erasure: %v", events)
			}
			// The phone is free again.
			register(t, env, "+79161234567", "", strong)
		})
	}
}

// TestErasureSweep: the cleanup erases a deleted account whose retention ended even when its
// erasure job never ran.
func TestErasureSweep(t *testing.T) {
	env := apptest.New(t)
	id, token := register(t, env, "+79161234567", "", strong)
	if st, out, _ := call(t, env, "DELETE", "/api/v1/me", map[string]any{"password": strong}, token); st != 200 {
		t.Fatalf("delete: %d %v", st, out)
	}
	ctx := context.Background()
	env.App.CleanupOnce(ctx)
	if acc, _ := env.App.DB.GetAccount(ctx, id); acc.LastName == "" {
		t.Fatal("erased before the retention ended")
	}
	env.App.Deletion.Now = func() time.Time { return time.Now().Add(721 * time.Hour) }
	env.App.CleanupOnce(ctx)
	if acc, _ := env.App.DB.GetAccount(ctx, id); acc.LastName != "" || len(acc.Contacts) != 0 {
		t.Errorf("not erased by the cleanup: %+v", acc)
	}
}

// TestPasswordChangeForgetsRememberedDevices: a device remembered before the password changed
// (perhaps by whoever knew the old one) must no longer skip the second factor.
func TestPasswordChangeForgetsRememberedDevices(t *testing.T) {
	env := apptest.New(t)
	id, token := register(t, env, "+79161234567", "", strong)
	ctx := context.Background()
	device, _, err := env.App.MFA.RememberDevice(ctx, id, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := env.App.MFA.DeviceTrusted(ctx, id, device); !ok {
		t.Fatal("a freshly remembered device is not trusted")
	}
	if st, p, _ := call(t, env, "PUT", "/api/v1/me/password", map[string]any{"old_password": strong, "new_password": newPass}, token); st != 200 {
		t.Fatalf("change password: %d %v", st, p)
	}
	if ok, _ := env.App.MFA.DeviceTrusted(ctx, id, device); ok {
		t.Error("the device remembered before the password change still skips the second factor")
	}
}
