package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// TestForbiddenClientLeavesAssertionUnused: a client without the center role is refused with
// 403 before its assertion is recorded: the refusal writes nothing, and the jti is unused.
func TestForbiddenClientLeavesAssertionUnused(t *testing.T) {
	env := apptest.New(t)
	bankSys := newCenterSystem(t, env, "demo-tverskaya", rp.RoleBank)
	bankSys.operator = staffAt(t, env, "+79161000013", "demo-tverskaya")
	exp := time.Now().Add(2 * time.Minute)
	tok := bankSys.assertion(t, func(c *jwt.Claims) { c.ID, c.Expiry = "bank-jti-1", jwt.NewNumericDate(exp) })
	for i := range 2 {
		if st, raw := bankSys.send(t, "GET", "/api/v1/operator/accounts?snils=11223344595", nil, tok); st != 403 {
			t.Fatalf("call %d of a bank on the operator API: %d %s, want 403", i+1, st, raw)
		}
	}
	if err := env.App.DB.UseAssertion(context.Background(), bankSys.id, "bank-jti-1", exp); err != nil {
		t.Errorf("the refused assertion's jti: %v, want it unused", err)
	}
}
