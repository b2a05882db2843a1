package oidc_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/rp"
)

func TestCodeFlowWithStandardLibraries(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			sess := citizen(t, env, "+79161110001")
			x := newRP(t, env, rp.Input{Scopes: []string{"fullname", "mobile", "offline_access"}})

			q, verifier := x.authorize(sess, oauth2.SetAuthURLParam("scope", "openid fullname mobile offline_access"))
			tok, idt, claims := x.exchange(q, verifier)
			if idt.Subject != sess.AccountID || idt.Nonce != "n-123" {
				t.Errorf("id token sub=%q nonce=%q", idt.Subject, idt.Nonce)
			}
			if sid, _ := claims["sid"].(string); len(sid) < 16 || sid == sess.ID {
				t.Errorf("id token sid = %v: want a per-client value, not the session id", claims["sid"])
			}
			for k, want := range map[string]any{"acr": oidc.ACRSimplified, "trusted": false, "aal": oidc.AAL1} {
				if claims[k] != want {
					t.Errorf("id token %s = %v, want %v", k, claims[k], want)
				}
			}
			if amr, _ := claims["amr"].([]any); len(amr) != 1 || amr[0] != "pwd" {
				t.Errorf("amr = %v, want [pwd]", claims["amr"])
			}
			if _, ok := claims["family_name"]; ok {
				t.Errorf("the ID token carries personal data: %v", claims)
			}

			ui, err := x.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatalf("userinfo: %v", err)
			}
			var info map[string]any
			_ = ui.Claims(&info)
			if info["family_name"] != "Смирнова" || info["phone_number"] != "+79161110001" || info["phone_number_verified"] != true || ui.Subject != sess.AccountID {
				t.Errorf("userinfo = %v", info)
			}
			if _, ok := info["email"]; ok {
				t.Errorf("userinfo released email without the email scope")
			}

			// Refresh rotates; the old refresh token is then refused and revokes the family.
			old := tok.RefreshToken
			if old == "" {
				t.Fatal("no refresh token for offline_access")
			}
			newTok, err := x.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: old, Expiry: time.Now().Add(-time.Minute)}).Token()
			if err != nil || newTok.RefreshToken == "" || newTok.RefreshToken == old {
				t.Fatalf("refresh: %v, %+v", err, newTok)
			}
			if _, err := x.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: old, Expiry: time.Now().Add(-time.Minute)}).Token(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
				t.Errorf("reused refresh token: err = %v, want invalid_grant", err)
			}
			if _, err := x.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: newTok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token(); err == nil {
				t.Errorf("after reuse, the family's current token still works")
			}
			if _, err := x.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(newTok)); err == nil {
				t.Errorf("after reuse, the family's access token still works")
			}
		})
	}
}

func TestIntrospectionAndRevocation(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161110002")
	x := newRP(t, env, rp.Input{Scopes: []string{"fullname"}})
	q, v := x.authorize(sess)
	tok, _, _ := x.exchange(q, v)

	var disc struct {
		Introspection string `json:"introspection_endpoint"`
		Revocation    string `json:"revocation_endpoint"`
	}
	_ = x.provider.Claims(&disc)
	st, out := x.postForm(disc.Introspection, url.Values{"token": {tok.AccessToken}})
	if st != 200 || out["active"] != true || out["client_id"] != x.client.ID || out["sub"] != sess.AccountID || out["scope"] != "openid fullname" {
		t.Fatalf("introspection = %d %v", st, out)
	}
	if st, _ := x.postForm(disc.Revocation, url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}); st != 200 {
		t.Fatalf("revocation = %d", st)
	}
	if _, out := x.postForm(disc.Introspection, url.Values{"token": {tok.AccessToken}}); out["active"] != false {
		t.Errorf("revoked token introspects as %v", out)
	}
	if _, err := x.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Errorf("revoked token still reads userinfo")
	}
}

func TestSingleSignOnAcrossTwoSites(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161110003")
	a := newRP(t, env, rp.Input{Name: "Site A", Scopes: []string{"fullname"}})
	b := newRP(t, env, rp.Input{Name: "Site B", Scopes: []string{"fullname"}})
	qa, va := a.authorize(sess)
	_, idA, _ := a.exchange(qa, va)
	qb, vb := b.authorize(sess) // same session: no password; consent for the new site
	_, idB, claimsB := b.exchange(qb, vb)
	if idA.Subject != idB.Subject || claimsB["sid"] == nil {
		t.Errorf("SSO tokens differ in subject or lack a session: %s vs %s, sid %v", idA.Subject, idB.Subject, claimsB["sid"])
	}
}

func TestPairwiseSubjects(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161110004")
	x := newRP(t, env, rp.Input{SubjectType: "pairwise"})
	q, v := x.authorize(sess)
	_, idt, _ := x.exchange(q, v)
	if idt.Subject == sess.AccountID || len(idt.Subject) < 20 {
		t.Errorf("pairwise sub = %q (account %s)", idt.Subject, sess.AccountID)
	}
}

func TestLevelAndMethodRequirements(t *testing.T) {
	env := apptest.New(t)
	sess := citizen(t, env, "+79161110005")
	ctx := context.Background()

	high := newRP(t, env, rp.Input{MinLevel: "standard"})
	q, _ := high.authorize(sess)
	if q.Get("error") != "unmet_authentication_requirements" || q.Get("state") != "st-1" || q.Get("iss") != env.URL {
		t.Errorf("simplified account at a standard-only site: %v", q)
	}
	low := newRP(t, env, rp.Input{})
	q, _ = low.authorize(sess, oauth2.SetAuthURLParam("claims", `{"id_token":{"acr":{"essential":true,"values":["`+oidc.ACRConfirmed+`"]}}}`))
	if q.Get("error") != "unmet_authentication_requirements" {
		t.Errorf("essential acr confirmed for a simplified account: %v", q)
	}
	q, _ = low.authorize(sess, oauth2.SetAuthURLParam("acr_values", oidc.ACRStandard))
	if q.Get("error") != "unmet_authentication_requirements" {
		t.Errorf("acr_values standard for a simplified account: %v", q)
	}

	// A confirmed account (by mail code) at a site refusing mail_code counts as standard.
	if err := env.App.DB.SetLevel(ctx, sess.AccountID, account.Confirmed, "mail_code", time.Now()); err != nil {
		t.Fatal(err)
	}
	strict := newRP(t, env, rp.Input{MinLevel: "confirmed", AllowedMethods: []string{"in_person", "bank"}})
	if q, _ := strict.authorize(sess); q.Get("error") != "unmet_authentication_requirements" {
		t.Errorf("mail_code account at a site refusing mail_code: %v", q)
	}
	lenient := newRP(t, env, rp.Input{MinLevel: "standard", AllowedMethods: []string{"in_person"}})
	q, v := lenient.authorize(sess)
	_, _, claims := lenient.exchange(q, v)
	if claims["acr"] != oidc.ACRStandard || claims["trusted"] != false || claims["confirmation_method"] != nil {
		t.Errorf("refused method must count as standard: %v", claims)
	}
	any := newRP(t, env, rp.Input{MinLevel: "confirmed"})
	q, v = any.authorize(sess)
	_, _, claims = any.exchange(q, v)
	if claims["acr"] != oidc.ACRConfirmed || claims["trusted"] != true || claims["confirmation_method"] != "mail_code" {
		t.Errorf("confirmed account claims: %v", claims)
	}
}

func TestPromptNoneWithoutSession(t *testing.T) {
	env := apptest.New(t)
	x := newRP(t, env, rp.Input{})
	loc := x.get(x.cfg.AuthCodeURL("st-1", oauth2.SetAuthURLParam("prompt", "none"), oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	u, _ := url.Parse(loc)
	step, err := env.App.OIDC.Next(context.Background(), u.Query().Get("id"), nil)
	if err != nil || step.Kind != oidc.StepRedirect || !strings.Contains(step.Redirect, "error=login_required") || !strings.Contains(step.Redirect, "state=st-1") {
		t.Errorf("prompt=none without a session: %+v %v", step, err)
	}
}

func TestDiscoveryAndKeys(t *testing.T) {
	env := apptest.New(t)
	p, err := gooidc.NewProvider(context.Background(), env.URL)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	_ = p.Claims(&d)
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint",
		"revocation_endpoint", "introspection_endpoint", "pushed_authorization_request_endpoint"} {
		if s, _ := d[k].(string); !strings.HasPrefix(s, env.URL+"/") {
			t.Errorf("discovery %s = %v", k, d[k])
		}
	}
	if d["authorization_response_iss_parameter_supported"] != true || d["backchannel_logout_supported"] != true {
		t.Errorf("discovery flags: %v", d)
	}
	if algs, _ := d["id_token_signing_alg_values_supported"].([]any); !slices.Contains(algs, any("ES256")) {
		t.Errorf("id_token_signing_alg_values_supported = %v", d["id_token_signing_alg_values_supported"])
	}
	if gt, _ := d["grant_types_supported"].([]any); slices.Contains(gt, any("password")) || slices.Contains(gt, any("implicit")) {
		t.Errorf("grant types include a forbidden grant: %v", gt)
	}
}
