package api_test

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// BenchmarkPartnerCall measures one authenticated partner API call on SQLite: the bank mints
// a fresh ES256 client assertion, Civis verifies it against the bank's key, records its jti
// (one write) and answers a read of the request ledger. BenchmarkES256 is the raw cost of
// the two signature operations it contains.
func BenchmarkPartnerCall(b *testing.B) {
	env := apptest.New(b)
	bk := newBank(b, env, "Банк", rp.RoleBank)
	if st, body, _ := bk.call(b, "POST", "/api/v1/partner/confirmations", ivanovConfirm("bench-1")); st >= 500 {
		b.Fatalf("seed request = %d %v", st, body)
	}
	b.ResetTimer()
	for b.Loop() {
		if st, body, _ := bk.call(b, "GET", "/api/v1/partner/requests/bench-1", nil); st != 200 {
			b.Fatalf("GET request = %d %v", st, body)
		}
	}
}

// BenchmarkES256 signs and verifies one client assertion: the cryptographic floor of a
// partner call.
func BenchmarkES256(b *testing.B) {
	env := apptest.New(b)
	bk := newBank(b, env, "Банк", rp.RoleBank)
	keys, err := env.App.OIDC.ClientKeys(context.Background(), mustClient(b, env, bk.id))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		tok := bk.assertion(b, bk.key, nil)
		if err := verifyES256(tok, keys.Keys[0].Key); err != nil {
			b.Fatal(err)
		}
	}
}

func mustClient(b *testing.B, env *apptest.Env, id string) *rp.Client {
	c, err := env.App.Clients.Get(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func verifyES256(raw string, key any) error {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return err
	}
	var c jwt.Claims
	return tok.Claims(key, &c)
}
