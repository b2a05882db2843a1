package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/rp"
)

// limiterClock gives the node's operator service a limiter whose clock the test moves.
func limiterClock(env *apptest.Env) *time.Time {
	now := time.Now()
	env.App.Operator.Limiter = &ratelimit.Limiter{Store: env.App.DB, Now: func() time.Time { return now }}
	return &now
}

// checkLimited checks a 429 rate_limited problem with a Retry-After of at most max.
func checkLimited(t *testing.T, what string, st int, body []byte, retryAfter string, max time.Duration) map[string]any {
	t.Helper()
	var p map[string]any
	_ = json.Unmarshal(body, &p)
	secs, err := strconv.Atoi(retryAfter)
	if st != 429 || p["code"] != "rate_limited" || err != nil || secs <= 0 || time.Duration(secs)*time.Second > max {
		t.Errorf("%s: %d %s with Retry-After %q, want 429 rate_limited with a wait up to %s", what, st, body, retryAfter, max)
	}
	return p
}

// TestOperatorAPIRegistrationLimit: past the center's registrations in the window, a
// registration answers 429 with Retry-After and sends nothing; the ledger keeps it as failed,
// so the same request_id acts once the window has passed.
func TestOperatorAPIRegistrationLimit(t *testing.T) {
	env := apptest.New(t)
	env.App.Operator.Config.Limits.SendPerCenter.Max = 1
	now := limiterClock(env)
	sys := newCenterSystem(t, env, "demo-tverskaya")
	sys.operator = staffAt(t, env, "+79161000011", "demo-tverskaya")
	if st, b := sys.send(t, "POST", "/api/v1/operator/registrations", sidorov("r-1", "+79167004001", "112-233-445 95", ""), ""); st != 201 {
		t.Fatalf("first registration: %d %s", st, b)
	}
	const phone = "+79167004002"
	second := sidorov("r-2", phone, "234-567-890 99", "")
	st, b := sys.send(t, "POST", "/api/v1/operator/registrations", second, "")
	p := checkLimited(t, "second registration", st, b, sys.header.Get("Retry-After"), time.Hour)
	if d, _ := p["detail"].(string); !strings.Contains(d, "request_id") {
		t.Errorf("detail %q does not say to resend with the same request_id", d)
	}
	if msgs := firstPasswordMessages(env, phone); len(msgs) != 0 {
		t.Errorf("the refused registration sent %q", msgs)
	}
	if st, e := sys.json(t, "GET", "/api/v1/operator/requests/r-2", nil); st != 200 || e["state"] != "failed" || e["code"] != "rate_limited" {
		t.Errorf("GET the refused request: %d %v, want failed rate_limited", st, e)
	}
	*now = now.Add(time.Hour)
	if st, b := sys.send(t, "POST", "/api/v1/operator/registrations", second, ""); st != 201 || sys.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the same request after the window: %d %s, want 201 acting", st, b)
	}
	if msgs := firstPasswordMessages(env, phone); len(msgs) != 1 {
		t.Errorf("messages after the window: %q, want 1", msgs)
	}
}

// TestOperatorAPISearchLimit: past the operator's searches in the window, the search and the
// existence check answer 429 with Retry-After.
func TestOperatorAPISearchLimit(t *testing.T) {
	env := apptest.New(t)
	env.App.Operator.Config.Limits.SearchPerOperator.Max = 2
	sys := newCenterSystem(t, env, "demo-tverskaya")
	sys.operator = staffAt(t, env, "+79161000012", "demo-tverskaya")
	search := map[string]any{"snils": "11223344595", "reason": "визит"}
	if st, p := sys.json(t, "POST", "/api/v1/operator/search", search); st != 200 {
		t.Fatalf("search: %d %v", st, p)
	}
	if st, p := sys.json(t, "GET", "/api/v1/operator/accounts?snils=11223344595", nil); st != 200 {
		t.Fatalf("existence check: %d %v", st, p)
	}
	st, b := sys.send(t, "POST", "/api/v1/operator/search", search, "")
	checkLimited(t, "third search", st, b, sys.header.Get("Retry-After"), time.Minute)
	st, b = sys.send(t, "GET", "/api/v1/operator/accounts?snils=11223344595", nil, "")
	checkLimited(t, "existence check past the limit", st, b, sys.header.Get("Retry-After"), time.Minute)
}

// TestPartnerRegistrationLimit: past the bank's registrations in the window, a registration
// answers 429 with Retry-After, sends no SMS and is kept as failed; the same request_id acts
// after the window.
func TestPartnerRegistrationLimit(t *testing.T) {
	env := apptest.New(t)
	env.App.Operator.Config.Limits.SendPerBank.Max = 1
	now := limiterClock(env)
	b := newBank(t, env, "Банк Пример", rp.RoleBank)
	if st, body, _ := b.raw(t, "/api/v1/partner/registrations", fedorova("reg-1")); st != 201 {
		t.Fatalf("first registration: %d %s", st, body)
	}
	st, body, hdr := b.raw(t, "/api/v1/partner/registrations", ivanovRegistration("reg-2"))
	checkLimited(t, "second registration", st, body, hdr.Get("Retry-After"), time.Hour)
	if msgs := env.Messages("+79161234567"); len(msgs) != 0 {
		t.Errorf("the refused registration sent %d messages", len(msgs))
	}
	if st, p, _ := b.call(t, "GET", "/api/v1/partner/requests/reg-2", nil); st != 200 || p["state"] != "failed" ||
		p["code"] != "rate_limited" || p["status"] != 429.0 {
		t.Errorf("GET the refused request: %d %v, want failed rate_limited 429", st, p)
	}
	*now = now.Add(time.Hour)
	if st, body, _ := b.raw(t, "/api/v1/partner/registrations", ivanovRegistration("reg-2")); st != 201 {
		t.Fatalf("the same request after the window: %d %s, want 201", st, body)
	}
	links := 0
	for _, m := range env.Messages("+79161234567") {
		if strings.Contains(m.Body, "/activate/") {
			links++
		}
	}
	if links != 1 {
		t.Errorf("activation links after the window: %d, want 1", links)
	}
}
