package oidc_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// verifyLogoutToken checks a back-channel logout token as an RP must (OpenID Connect
// Back-Channel Logout 1.0, 2.6), using go-oidc's verifier over the provider's JWKS.
func verifyLogoutToken(t *testing.T, x *relyingParty, raw string) map[string]any {
	t.Helper()
	v := x.provider.Verifier(&gooidc.Config{ClientID: x.client.ID, SkipExpiryCheck: false})
	tok, err := v.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("logout token does not verify: %v", err)
	}
	var c map[string]any
	_ = tok.Claims(&c)
	events, _ := c["events"].(map[string]any)
	if _, ok := events["http://schemas.openid.net/event/backchannel-logout"]; !ok || c["nonce"] != nil || c["sid"] == nil {
		t.Errorf("logout token claims: %v", c)
	}
	return c
}

func TestBackchannelLogoutWhenCitizenSignsOut(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			sess := citizen(t, env, "+79161120001")
			a := newRP(t, env, rp.Input{Name: "A", Scopes: []string{"fullname", "offline_access"}})
			b := newRP(t, env, rp.Input{Name: "B"})
			qa, va := a.authorize(sess, oauth2.SetAuthURLParam("scope", "openid fullname offline_access"))
			tokA, _, claimsA := a.exchange(qa, va)
			qb, vb := b.authorize(sess)
			_, _, claimsB := b.exchange(qb, vb)
			if claimsA["sid"] == claimsB["sid"] {
				t.Errorf("two sites see the same sid %v", claimsA["sid"])
			}
			sids := map[*relyingParty]any{a: claimsA["sid"], b: claimsB["sid"]}

			if err := env.App.Sessions.Revoke(context.Background(), sess); err != nil {
				t.Fatal(err)
			}
			env.Deliver()
			for _, x := range []*relyingParty{a, b} {
				got := x.logoutTokens()
				if len(got) != 1 {
					t.Fatalf("%s received %d logout tokens, want 1", x.client.Name, len(got))
				}
				c := verifyLogoutToken(t, x, got[0])
				if c["sid"] != sids[x] || c["sub"] != sess.AccountID {
					t.Errorf("%s logout token sid=%v sub=%v", x.client.Name, c["sid"], c["sub"])
				}
			}
			// The session's tokens are gone, refresh included.
			if _, err := a.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tokA)); err == nil {
				t.Errorf("access token works after sign-out")
			}
			if _, err := a.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tokA.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token(); err == nil {
				t.Errorf("refresh token works after sign-out")
			}
		})
	}
}

func TestRPInitiatedLogout(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161120002")
	x := newRP(t, env, rp.Input{})
	q, v := x.authorize(sess)
	tok, _, _ := x.exchange(q, v)
	rawID, _ := tok.Extra("id_token").(string)
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = x.provider.Claims(&d)

	// A post_logout_redirect_uri that is not registered is refused.
	bad := d.EndSession + "?" + url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode()
	if resp, err := noRedirects.Get(bad); err != nil || resp.StatusCode == 302 && strings.HasPrefix(resp.Header.Get("Location"), "https://evil") {
		t.Fatalf("unregistered post_logout_redirect_uri accepted: %v %v", resp, err)
	}

	u := d.EndSession + "?" + url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {x.srv.URL + "/bye"}, "state": {"s-9"}}.Encode()
	loc := x.get(u)
	lu, _ := url.Parse(loc)
	next := lu.Query().Get("next")
	if !strings.HasPrefix(loc, env.URL+"/oidc/logged-out") || !strings.HasPrefix(next, x.srv.URL+"/bye") || !strings.Contains(next, "state=s-9") {
		t.Errorf("end_session redirect = %s", loc)
	}
	if !env.App.OIDC.VerifyLoggedOut(lu.Query().Get("sid"), next, lu.Query().Get("sig")) {
		t.Errorf("logged-out page parameters do not verify")
	}
	if env.App.OIDC.VerifyLoggedOut(lu.Query().Get("sid"), "https://evil.example/", lu.Query().Get("sig")) {
		t.Errorf("logged-out page accepts another next URL")
	}
	if _, err := env.App.Sessions.Authenticate(context.Background(), "x"); err == nil {
		t.Fatal("unexpected")
	}
	env.Deliver()
	if got := x.logoutTokens(); len(got) != 1 {
		t.Errorf("back-channel logout tokens after RP-initiated logout: %d", len(got))
	}
}

func TestConsentRevokeEndsRefreshTokens(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161120003")
	x := newRP(t, env, rp.Input{Scopes: []string{"fullname", "offline_access"}})
	q, v := x.authorize(sess, oauth2.SetAuthURLParam("scope", "openid fullname offline_access"))
	tok, _, _ := x.exchange(q, v)
	sites, err := env.App.OIDC.ConnectedSites(context.Background(), sess.AccountID)
	if err != nil || len(sites) != 1 || sites[0].ClientID != x.client.ID {
		t.Fatalf("ConnectedSites = %+v, %v", sites, err)
	}
	if err := env.App.OIDC.RevokeConsent(context.Background(), sess.AccountID, x.client.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := x.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token(); err == nil {
		t.Errorf("refresh token works after the consent was revoked")
	}
	if sites, _ := env.App.OIDC.ConnectedSites(context.Background(), sess.AccountID); len(sites) != 0 {
		t.Errorf("site still connected: %+v", sites)
	}
}

func TestPushedAuthorizationRequest(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161120004")
	x := newRP(t, env, rp.Input{Scopes: []string{"fullname"}})
	verifier := oauth2.GenerateVerifier()
	form := url.Values{"response_type": {"code"}, "redirect_uri": {x.cfg.RedirectURL}, "scope": {"openid fullname"},
		"state": {"st-1"}, "nonce": {"n-123"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
	st, out := x.postForm(env.URL+"/oidc/par", form)
	ru, _ := out["request_uri"].(string)
	if st != 201 || !strings.HasPrefix(ru, "urn:ietf:params:oauth:request_uri:") || out["expires_in"] != float64(60) {
		t.Fatalf("PAR = %d %v", st, out)
	}
	x.cfg.Endpoint.AuthURL = env.URL + "/oidc/authorize"
	authURL := env.URL + "/oidc/authorize?" + url.Values{"client_id": {x.client.ID}, "request_uri": {ru}}.Encode()
	loc := x.get(authURL)
	lu, _ := url.Parse(loc)
	step, err := env.App.OIDC.Approve(context.Background(), lu.Query().Get("id"), sess)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := url.Parse(x.get(step.Redirect))
	x.exchange(cb.Query(), verifier)
	// A request_uri is good once.
	resp, _ := noRedirects.Get(authURL)
	if resp.StatusCode != 400 {
		t.Errorf("second use of a request_uri = %d, want 400", resp.StatusCode)
	}
	// Without client authentication, no push.
	st, _ = (&relyingParty{t: t, client: x.client, secret: "wrong"}).postForm(env.URL+"/oidc/par", form)
	if st != 401 {
		t.Errorf("PAR with a wrong secret = %d, want 401", st)
	}
}

func TestPublicClientNeedsPKCE(t *testing.T) {
	env := apptest.New(t)
	x := newRP(t, env, rp.Input{AuthMethod: "none"})
	resp, err := noRedirects.Get(x.cfg.AuthCodeURL("st-1")) // no code_challenge
	if err != nil {
		t.Fatal(err)
	}
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "error=invalid_request") || strings.Contains(loc, "/oidc/login") {
		t.Errorf("public client without PKCE: %d %s", resp.StatusCode, loc)
	}
	sess := citizen(t, env, "+79161120005")
	x.cfg.ClientSecret = ""
	q, v := x.authorize(sess)
	x.exchange(q, v)
}

func TestUnknownClientAndRedirect(t *testing.T) {
	env := apptest.New(t)
	x := newRP(t, env, rp.Input{})
	for name, u := range map[string]string{
		"unknown client":   strings.Replace(x.cfg.AuthCodeURL("s"), "client_id="+url.QueryEscape(x.client.ID), "client_id=nobody", 1),
		"foreign redirect": strings.Replace(x.cfg.AuthCodeURL("s"), url.QueryEscape(x.cfg.RedirectURL), url.QueryEscape("https://evil.example/cb"), 1),
	} {
		resp, err := noRedirects.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "https://evil") || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, loc)
		}
	}
	_ = json.Marshal
}

func TestDeletedClientTokensStopWorking(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161120009")
	x := newRP(t, env, rp.Input{Scopes: []string{"fullname"}})
	q, v := x.authorize(sess)
	tok, _, _ := x.exchange(q, v)
	if err := env.App.Clients.Delete(context.Background(), x.client.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := x.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Errorf("a deleted client's access token still reads userinfo")
	}
	if sites, _ := env.App.OIDC.ConnectedSites(context.Background(), sess.AccountID); len(sites) != 0 {
		t.Errorf("a deleted client is still a connected site: %+v", sites)
	}
}

func TestIntrospectionClientAuthErrorsAreJSON(t *testing.T) {
	env := apptest.New(t)
	x := newRP(t, env, rp.Input{})
	bad := &relyingParty{t: t, client: x.client, secret: "wrong"}
	st, out := bad.postForm(env.URL+"/oidc/introspect", url.Values{"token": {"x"}})
	if st != 401 || out["error"] != "invalid_client" {
		t.Errorf("introspection with a wrong secret = %d %v; want 401 invalid_client as JSON", st, out)
	}
}
