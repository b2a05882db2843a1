package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	zclient "github.com/zitadel/oidc/v3/pkg/client"
	zrp "github.com/zitadel/oidc/v3/pkg/client/rp"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// TestZitadelRelyingParty runs the code flow with a second RP library (zitadel's OpenID
// certified rp package): discovery, PKCE, ID token checks including signing algorithms from
// discovery, userinfo and refresh.
func TestZitadelRelyingParty(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161130001")
	x := newRP(t, env, rp.Input{Scopes: []string{"fullname", "offline_access"}})
	ctx := context.Background()
	party, err := zrp.NewRelyingPartyOIDC(ctx, env.URL, x.client.ID, x.secret, x.cfg.RedirectURL,
		[]string{"openid", "fullname", "offline_access"}, zrp.WithSigningAlgsFromDiscovery(),
		zrp.WithVerifierOpts(zrp.WithNonce(func(ctx context.Context) string { n, _ := ctx.Value(nonceKey{}).(string); return n })))
	if err != nil {
		t.Fatalf("zitadel rp: %v", err)
	}
	verifier := oauth2.GenerateVerifier()
	x.cfg.Endpoint.AuthURL = party.OAuthConfig().Endpoint.AuthURL
	q, _ := x.authorize(sess, oauth2.SetAuthURLParam("code_challenge", oauth2.S256ChallengeFromVerifier(verifier)),
		oauth2.SetAuthURLParam("scope", "openid fullname offline_access"))
	tokens, err := zrp.CodeExchange[*zoidc.IDTokenClaims](context.WithValue(ctx, nonceKey{}, "n-123"), q.Get("code"), party, zrp.WithCodeVerifier(verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	if tokens.IDTokenClaims.GetSubject() != sess.AccountID || tokens.IDTokenClaims.GetAuthenticationContextClassReference() != "urn:civis:loa:simplified" {
		t.Errorf("id token: %+v", tokens.IDTokenClaims)
	}
	info, err := zrp.Userinfo[*zoidc.UserInfo](ctx, tokens.AccessToken, tokens.TokenType, tokens.IDTokenClaims.GetSubject(), party)
	if err != nil || info.Claims["family_name"] != "Смирнова" {
		t.Errorf("userinfo: %+v %v", info, err)
	}
	refreshed, err := zrp.RefreshTokens[*zoidc.IDTokenClaims](ctx, party, tokens.RefreshToken, "", "")
	if err != nil || refreshed.RefreshToken == "" || refreshed.IDTokenClaims.GetSubject() != sess.AccountID {
		t.Errorf("refresh: %+v %v", refreshed, err)
	}
}

// nonceKey carries the nonce the RP expects: the code exchange's ID token has it, a
// refreshed one has none (OpenID Connect Core 12.2).
type nonceKey struct{}

// TestPrivateKeyJWTClient authenticates at the token endpoint with a signed client assertion
// (RFC 7523) whose key the client registered as a JWKS.
func TestPrivateKeyJWTClient(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161130002")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	x := newRP(t, env, rp.Input{AuthMethod: "private_key_jwt", JWKS: string(jwks)})
	q, verifier := x.authorize(sess)
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	assertion, err := zclient.SignedJWTProfileAssertion(x.client.ID, []string{env.URL}, time.Minute, signer)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {x.cfg.RedirectURL},
		"code_verifier": {verifier}, "client_id": {x.client.ID}, "client_assertion": {assertion},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}
	plain := &relyingParty{t: t, client: x.client} // no basic credentials
	st, out := plain.postForm(x.provider.Endpoint().TokenURL, form)
	if st != 200 || out["id_token"] == nil {
		t.Fatalf("private_key_jwt token request = %d %v", st, out)
	}
	// A forged assertion is refused.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forger, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: other, KeyID: "k1"}}, nil)
	forged, _ := zclient.SignedJWTProfileAssertion(x.client.ID, []string{env.URL}, time.Minute, forger)
	form.Set("client_assertion", forged)
	if st, _ := plain.postForm(x.provider.Endpoint().TokenURL, form); st == 200 {
		t.Errorf("forged client assertion accepted")
	}
}
