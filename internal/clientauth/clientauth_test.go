package clientauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/civis-id/civis/internal/clientauth"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

const aud = "https://id.example/api/v1/operator"

// clients finds the test's clients by id.
type clients map[string]*rp.Client

func (c clients) Get(_ context.Context, id string) (*rp.Client, error) {
	if cl, ok := c[id]; ok {
		return cl, nil
	}
	return nil, store.ErrNotFound
}

// jtis records used jtis, as the client_assertions table does.
type jtis map[string]bool

func (u jtis) use(_ context.Context, clientID, jti string, _ time.Time) error {
	if u[clientID+" "+jti] {
		return store.ErrConflict
	}
	u[clientID+" "+jti] = true
	return nil
}

func newAuth(t *testing.T, used jtis, roles ...string) (*clientauth.Authenticator, func(jti string) string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}
	c := &rp.Client{ID: "sys", AuthMethod: rp.PrivateKeyJWT, Roles: roles}
	a := &clientauth.Authenticator{Clients: clients{c.ID: c}, Audiences: []string{aud}, Now: time.Now, Used: used.use,
		Keys: func(context.Context, *rp.Client) (*jose.JSONWebKeySet, error) { return set, nil }}
	sign := func(jti string) string {
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
			(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		tok, err := jwt.Signed(sig).Claims(jwt.Claims{Issuer: c.ID, Subject: c.ID, Audience: jwt.Audience{aud}, ID: jti,
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	return a, sign
}

func authenticate(a *clientauth.Authenticator, tok, role string) error {
	r := httptest.NewRequest("GET", aud+"/requests/x", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	_, err := a.Authenticate(r, role)
	return err
}

// TestRoleBeforeJTI: a client without the role is refused before its jti is recorded, so the
// refusal writes nothing and the assertion stays unused; a client with the role uses its
// assertion once.
func TestRoleBeforeJTI(t *testing.T) {
	used := jtis{}
	bank, sign := newAuth(t, used, rp.RoleBank)
	tok := sign("j-1")
	for range 2 {
		if err := authenticate(bank, tok, rp.RoleCenter); !errors.Is(err, clientauth.ErrForbidden) {
			t.Fatalf("a bank on the operator API: %v, want ErrForbidden", err)
		}
	}
	if len(used) != 0 {
		t.Fatalf("a refused client left jtis %v, want none", used)
	}
	if err := authenticate(bank, tok, rp.RoleBank); err != nil {
		t.Fatalf("the same assertion where the bank may call: %v, want accepted (unused so far)", err)
	}
	if err := authenticate(bank, tok, rp.RoleBank); !errors.Is(err, clientauth.ErrInvalid) {
		t.Errorf("the assertion a second time: %v, want ErrInvalid (used)", err)
	}
	if !used["sys j-1"] {
		t.Errorf("jtis after the accepted call = %v, want sys j-1", used)
	}
}

// TestInvalidAssertionWritesNothing: a bad assertion is refused before any write.
func TestInvalidAssertionWritesNothing(t *testing.T) {
	used := jtis{}
	a, sign := newAuth(t, used, rp.RoleCenter)
	_, other := newAuth(t, jtis{}, rp.RoleCenter) // the same client id, another key
	for name, tok := range map[string]string{"garbage": "not-a-jwt", "wrong key": other("j-2"), "no jti": sign("")} {
		if err := authenticate(a, tok, rp.RoleCenter); !errors.Is(err, clientauth.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if len(used) != 0 {
		t.Errorf("refused assertions left jtis %v", used)
	}
}
