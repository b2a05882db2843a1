package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

const scopes = "openid fullname email"

// TestSignInToSite walks a whole authorization through the pages: sign-in for the site,
// consent, the code at the site; then single sign-on without a password or a question, the
// cabinet's connected sites and history, and revoking access.
func TestSignInToSite(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			testSignInToSite(t, env)
		})
	}
}

func testSignInToSite(t *testing.T, env *apptest.Env) {
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	checkRedirect(t, "logout", c.post("/logout", nil), "/")

	authURL, verifier := s.authorizeURL(scopes, url.Values{"login_hint": {emailNorm}})
	res, at := c.follow(authURL)
	if !strings.HasPrefix(at, env.URL+"/login?auth_request=") {
		t.Fatalf("authorization led to %s, want the sign-in page", at)
	}
	id := authID(t, at)
	checkPage(t, res, http.StatusOK, "Sign in to continue to Портал услуг.",
		`name="auth_request" value="`+id+`"`, `value="`+emailNorm+`"`, `href="/register"`)
	checkFormAction(t, res, s.srv.URL)

	res = c.post("/login", url.Values{"login": {emailNorm}, "password": {goodPass}, "auth_request": {id}})
	checkRedirect(t, "sign in for the site", res, "/oidc/login?id="+id)
	res, _ = c.follow(res.location())
	checkPage(t, res, http.StatusOK, "Портал услуг asks for access to your data", "Full name", "Email",
		`action="/oidc/consent"`, `name="id" value="`+id+`"`, `value="approve"`, `value="deny"`,
		"You are signed in as Петров Иван Сергеевич.")
	checkFormAction(t, res, s.srv.URL)

	res = c.post("/oidc/consent", url.Values{"id": {id}, "decision": {"approve"}})
	res, _ = c.follow(res.location())
	q := s.callback(res)
	s.checkCode(q)
	s.exchange(q.Get("code"), verifier)

	// Single sign-on: the same site again goes straight back with a code.
	authURL, _ = s.authorizeURL(scopes, nil)
	res, _ = c.follow(authURL)
	s.checkCode(s.callback(res))

	res = c.get("/cabinet")
	checkPage(t, res, http.StatusOK, "Connected sites", "Портал услуг", "May receive:", "Full name",
		`name="client_id" value="`+s.client.ID+`"`, "Revoke access", "Who received your data",
		"Портал услуг received: full name, email", "Signed in to Портал услуг (level “Simplified”)",
		"Signed out", "Account created")

	res = c.post("/cabinet/sites/revoke", url.Values{"client_id": {s.client.ID}})
	checkRedirect(t, "revoke", res, "/cabinet?revoked=1")
	res = c.get(res.location())
	checkPage(t, res, http.StatusOK, `role="status"`, "Access revoked.", "You have not let any site receive your data.",
		"Access of Портал услуг revoked")
	if strings.Contains(res.body, `name="client_id"`) {
		t.Error("the revoked site is still listed")
	}
	// Without consent the site asks again.
	authURL, _ = s.authorizeURL(scopes, nil)
	res, _ = c.follow(authURL)
	checkPage(t, res, http.StatusOK, "Портал услуг asks for access to your data")
}

// checkFormAction checks that the page's CSP lets its forms end on the site.
func checkFormAction(t *testing.T, res response, origin string) {
	t.Helper()
	csp := res.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' "+origin) || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q does not let forms go to %s", csp, origin)
	}
}

func TestDenyConsent(t *testing.T) {
	env := apptest.New(t)
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "")
	register(t, env, c)
	authURL, _ := s.authorizeURL(scopes, nil)
	res, at := c.follow(authURL)
	checkPage(t, res, http.StatusOK, "«Портал услуг» запрашивает доступ к вашим данным", "Фамилия, имя и отчество",
		"Электронная почта", "Разрешить", "Отказать")
	id := authID(t, at)
	res = c.post("/oidc/consent", url.Values{"id": {id}, "decision": {"deny"}})
	s.checkError(s.callback(res), "access_denied")
	// The request is used up.
	checkPage(t, c.get("/oidc/login?id="+id), http.StatusBadRequest, "Срок действия запроса на вход истёк")
	checkPage(t, c.post("/oidc/consent", url.Values{"id": {id}, "decision": {"approve"}}), http.StatusBadRequest,
		"Вернитесь на сайт и войдите снова.")
}

func TestUnknownRequest(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "en")
	for _, path := range []string{"/oidc/login?id=0190aaaa-0000-7000-8000-000000000000", "/oidc/login", "/oidc/login?id=a%20b",
		"/login?auth_request=0190aaaa-0000-7000-8000-000000000000"} {
		checkPage(t, c.get(path), http.StatusBadRequest,
			"This sign-in request has expired or was already used. Go back to the site and sign in again.")
	}
	checkPage(t, c.post("/oidc/cancel", url.Values{"id": {"nope"}}), http.StatusBadRequest, "has expired")
}

func TestPromptNone(t *testing.T) {
	env := apptest.New(t)
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "")
	authURL, _ := s.authorizeURL(scopes, url.Values{"prompt": {"none"}})
	res, _ := c.follow(authURL)
	s.checkError(s.callback(res), "login_required")

	// Signed in but without consent: the site learns that consent is needed.
	register(t, env, c)
	authURL, _ = s.authorizeURL(scopes, url.Values{"prompt": {"none"}})
	res, _ = c.follow(authURL)
	s.checkError(s.callback(res), "consent_required")
}

// TestUILocales: the site's ui_locales pick the language unless the citizen chose one.
func TestUILocales(t *testing.T) {
	env := apptest.New(t)
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "")
	authURL, _ := s.authorizeURL(scopes, url.Values{"ui_locales": {"de en-GB ru"}})
	res, at := c.follow(authURL)
	checkPage(t, res, http.StatusOK, `<html lang="en">`, "Sign in to continue to Портал услуг.")
	res = c.post("/login", url.Values{"login": {emailNorm}, "password": {"Wrong#Pass1"}, "auth_request": {authID(t, at)}})
	checkPage(t, res, http.StatusUnauthorized, `<html lang="en">`, "Wrong login or password.",
		"Sign in to continue to Портал услуг.", `name="auth_request"`)
	c.post("/lang", url.Values{"lang": {"ru"}, "next": {"/"}})
	checkPage(t, c.get(strings.TrimPrefix(at, env.URL)), http.StatusOK, `<html lang="ru">`,
		"Войдите, чтобы продолжить на сайте «Портал услуг».")
}

// TestRefuse: an account that does not meet the site's requirement gets a page that says
// what the site needs and what to do, and a way back to the site.
func TestRefuse(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     rp.Input
		extra  url.Values
		method string // confirm the account by this method first
		want   []string
	}{
		{name: "level", in: rp.Input{MinLevel: "standard"}, want: []string{
			"You cannot sign in to Портал услуг yet",
			"Портал услуг accepts accounts of the “Standard” level and above. Your account has the “Simplified” level.",
			"To reach the “Standard” level you need to:", "add your SNILS", "add your passport",
			"wait for the check of your data", `href="/cabinet"`}},
		{name: "level via acr_values", in: rp.Input{}, extra: url.Values{"acr_values": {"urn:civis:loa:confirmed"}}, want: []string{
			"“Confirmed” level and above", "add your SNILS", "confirm your identity: at a service center"}},
		{name: "method", in: rp.Input{MinLevel: "confirmed", AllowedMethods: []string{"in_person", "e_signature"}},
			method: "mail_code", want: []string{
				"Портал услуг does not accept identity confirmed by a code in a registered letter",
				"The site accepts identity confirmed:", "at a service center", "with a qualified electronic signature"}},
		{name: "unavailable", extra: url.Values{"acr_values": {"http://eidas.europa.eu/LoA/high"}}, want: []string{
			"asked for a level of assurance that Civis cannot confirm"}},
		{name: "second factor", extra: url.Values{"acr_values": {"urn:civis:aal:2"}}, want: []string{
			"needs a stronger sign-in with a second factor"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := apptest.New(t)
			s := newSite(t, env, tc.in)
			c := newClient(t, env.URL, "en")
			register(t, env, c)
			if tc.method != "" {
				confirm(t, env, tc.method)
			}
			authURL, _ := s.authorizeURL(scopes, tc.extra)
			res, at := c.follow(authURL)
			checkPage(t, res, http.StatusForbidden, append(tc.want, `action="/oidc/cancel"`, "Back to Портал услуг")...)
			checkFormAction(t, res, s.srv.URL)
			res = c.post("/oidc/cancel", url.Values{"id": {authID(t, at)}})
			s.checkError(s.callback(res), "unmet_authentication_requirements")
		})
	}
}

// confirm raises the only account to confirmed by method, as a service center would.
func confirm(t *testing.T, env *apptest.Env, method string) {
	t.Helper()
	ctx := context.Background()
	acc, err := env.App.DB.FindByContact(ctx, account.Email, emailNorm)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.SetLevel(ctx, acc.ID, account.Confirmed, method, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestPromptLogin: a site that asks for a fresh sign-in gets the sign-in page even when the
// citizen is signed in.
func TestPromptLogin(t *testing.T) {
	env := apptest.New(t)
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	authURL, _ := s.authorizeURL(scopes, nil)
	res, at := c.follow(authURL)
	c.post("/oidc/consent", url.Values{"id": {authID(t, at)}, "decision": {"approve"}})

	authURL, _ = s.authorizeURL(scopes, url.Values{"prompt": {"login"}})
	res, at = c.follow(authURL)
	checkPage(t, res, http.StatusOK, "Sign in to continue to Портал услуг.")
	res = c.post("/login", url.Values{"login": {emailNorm}, "password": {goodPass}, "auth_request": {authID(t, at)}})
	res, at = c.follow(res.location())
	if strings.HasPrefix(at, env.URL+"/login") {
		t.Fatalf("prompt=login sent the freshly signed-in citizen back to the sign-in page")
	}
	s.checkCode(s.callback(res))
}

// TestLoggedOut: logout through a site shows the logged-out page with the sites' front-channel
// logout frames and the way back to the site; unsigned parameters are ignored.
func TestLoggedOut(t *testing.T) {
	env := apptest.New(t)
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	authURL, verifier := s.authorizeURL(scopes, nil)
	_, at := c.follow(authURL)
	res := c.post("/oidc/consent", url.Values{"id": {authID(t, at)}, "decision": {"approve"}})
	res, _ = c.follow(res.location())
	s.exchange(s.callback(res).Get("code"), verifier)

	// Without an id_token_hint the citizen is asked first, and nothing ends until they agree.
	res = c.get("/oidc/end_session?" + url.Values{"client_id": {s.client.ID},
		"post_logout_redirect_uri": {s.srv.URL + "/bye"}}.Encode())
	if res.status != http.StatusFound || !strings.HasPrefix(res.location(), env.URL+"/oidc/logout?") {
		t.Fatalf("end_session without a hint: %d to %q", res.status, res.location())
	}
	confirm, _ := url.Parse(res.location())
	res = c.getURL(res.location())
	checkPage(t, res, http.StatusOK, "Sign out of Civis?", `id="logout-confirm"`)
	if st := c.get("/cabinet").status; st != http.StatusOK {
		t.Fatalf("the session ended before the citizen confirmed: cabinet %d", st)
	}
	res = c.post("/oidc/logout", url.Values{"next": {confirm.Query().Get("next")}, "sig": {confirm.Query().Get("sig")}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), env.URL+"/oidc/logged-out?") {
		t.Fatalf("confirmed logout: %d to %q", res.status, res.location())
	}
	res = c.getURL(res.location())
	checkPage(t, res, http.StatusOK, "You have signed out of Civis and of the sites you used with it",
		`<iframe class="logout-frame" src="`+s.srv.URL+`/frontchannel?iss=`, `href="`+s.srv.URL+`/bye"`,
		`id="logged-out-continue"`)
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-src 'self' "+s.srv.URL) {
		t.Errorf("CSP %q does not allow the front-channel frame", csp)
	}
	checkRedirect(t, "cabinet after logout", c.get("/cabinet"), "/login")

	for _, q := range []string{
		"sid=x&next=" + url.QueryEscape(s.srv.URL+"/bye") + "&sig=bad",
		"next=" + url.QueryEscape("https://evil.example/"),
		"",
	} {
		res := c.get("/oidc/logged-out?" + q)
		checkPage(t, res, http.StatusOK, "You have signed out", `id="logged-out-home"`)
		if strings.Contains(res.body, `href="https://evil.example`) || strings.Contains(res.body, `href="`+s.srv.URL) ||
			strings.Contains(res.body, "<iframe") {
			t.Errorf("logged-out page with %q uses its unsigned parameters:\n%s", q, res.body)
		}
		if csp := res.header.Get("Content-Security-Policy"); strings.Contains(csp, "frame-src") {
			t.Errorf("logged-out page with %q relaxes the CSP: %q", q, csp)
		}
	}
}

// TestPromptConsent: a site that asks for consent again gets the consent page even when the
// citizen consented before.
func TestPromptConsent(t *testing.T) {
	env := apptest.New(t)
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	authURL, _ := s.authorizeURL(scopes, nil)
	_, at := c.follow(authURL)
	c.post("/oidc/consent", url.Values{"id": {authID(t, at)}, "decision": {"approve"}})

	authURL, _ = s.authorizeURL(scopes, url.Values{"prompt": {"consent"}})
	res, at := c.follow(authURL)
	checkPage(t, res, http.StatusOK, "Портал услуг asks for access to your data")
	res = c.post("/oidc/consent", url.Values{"id": {authID(t, at)}, "decision": {"approve"}})
	if res.status == http.StatusOK {
		t.Fatalf("prompt=consent asked for consent again after approval")
	}
	res, _ = c.follow(res.location())
	s.checkCode(s.callback(res))
}
