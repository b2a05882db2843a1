package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/rp"
)

// clock drives the second factors' (and sessions') clock in page tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func withClock(env *apptest.Env) *clock {
	c := &clock{t: time.Now()}
	env.App.MFA.Now = c.now
	return c
}

var (
	secretRE  = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	loginIDRE = regexp.MustCompile(`^/login/([A-Za-z0-9_-]{43})$`)
)

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enableTOTPPage turns on an authenticator app through the security page of the signed-in
// client and returns its secret.
func enableTOTPPage(t *testing.T, c *client, clk *clock) string {
	t.Helper()
	checkPage(t, c.get("/cabinet"), http.StatusOK, `href="/cabinet/security"`)
	checkPage(t, c.get("/cabinet/security"), http.StatusOK, "Authenticator app", `id="totp-begin"`, "Recovery codes")
	res := c.post("/cabinet/security/totp-begin", nil)
	checkPage(t, res, http.StatusOK, `src="data:image/png;base64,`, `id="totp-code"`)
	m := secretRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatal("no secret on the page")
	}
	res = c.post("/cabinet/security/totp-confirm", url.Values{"code": {"12345"}})
	checkPage(t, res, http.StatusUnprocessableEntity, `src="data:image/png;base64,`)
	checkInvalid(t, res.body, "totp-code")
	res = c.post("/cabinet/security/totp-confirm", url.Values{"code": {totpCode(t, m[1], clk.t)}})
	checkRedirect(t, "confirm TOTP", res, "/cabinet/security?done=totp_enabled")
	checkPage(t, c.get(res.location()), http.StatusOK, "The authenticator app is on.", `id="totp-disable"`)
	return m[1]
}

// TestSecondFactorPages: turn on an authenticator app on the security page, then sign in
// with it, remember the device, and sign in again without the second step.
func TestSecondFactorPages(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	secret := enableTOTPPage(t, c, clk)
	c.post("/logout", nil)

	// Sign in: the password leads to the second step.
	res := c.post("/login", url.Values{"login": {phoneInput}, "password": {goodPass}})
	if res.status != http.StatusSeeOther || !loginIDRE.MatchString(res.location()) {
		t.Fatalf("login with a second factor: %d to %q", res.status, res.location())
	}
	step := res.location()
	checkPage(t, c.get(step), http.StatusOK, "Code from the authenticator app", `id="remember"`)
	res = c.post(step, url.Values{"method": {"totp"}, "code": {"000000"}})
	checkPage(t, res, http.StatusUnprocessableEntity, "The code is not correct.")
	checkInvalid(t, res.body, "code")
	clk.t = clk.t.Add(30 * time.Second)
	res = c.post(step, url.Values{"method": {"totp"}, "code": {totpCode(t, secret, clk.t)}, "remember": {"1"}})
	checkRedirect(t, "second factor", res, "/cabinet")
	cookies := strings.Join(res.header.Values("Set-Cookie"), "\n")
	if !strings.Contains(cookies, "civis_device=") || !strings.Contains(cookies, "HttpOnly") || !strings.Contains(cookies, "Max-Age=2592000") {
		t.Errorf("no remembered-device cookie for 30 days: %q", cookies)
	}
	checkPage(t, c.get(step), http.StatusNotFound, "Sign in again")
	c.post("/logout", nil)
	res = c.post("/login", url.Values{"login": {emailInput}, "password": {goodPass}})
	checkRedirect(t, "login from the remembered device", res, "/cabinet")
	c.post("/logout", nil)

	// On a shared computer the device is not remembered and the session cookie dies with
	// the browser.
	res = c.post("/login", url.Values{"login": {emailInput}, "password": {goodPass}, "public": {"1"}})
	step = res.location()
	if p, q, _ := strings.Cut(step, "?"); !loginIDRE.MatchString(p) || q != "public=1" {
		t.Fatalf("login on a shared computer: %d to %q, want the second step with public=1", res.status, step)
	}
	page := c.get(step)
	checkPage(t, page, http.StatusOK)
	if strings.Contains(page.body, `id="remember"`) {
		t.Error("a shared computer is offered to be remembered")
	}
	clk.t = clk.t.Add(30 * time.Second)
	res = c.post(step, url.Values{"method": {"totp"}, "code": {totpCode(t, secret, clk.t)}, "public": {"1"}, "remember": {"1"}})
	checkRedirect(t, "second factor on a shared computer", res, "/cabinet")
	for _, ck := range res.header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "civis_device=") {
			t.Errorf("a shared computer got a device cookie: %q", ck)
		}
		if strings.HasPrefix(ck, "civis_session=") && (strings.Contains(ck, "Expires=") || strings.Contains(ck, "Max-Age=")) {
			t.Errorf("the session cookie of a shared computer outlives the browser: %q", ck)
		}
	}
}

func TestNotMyComputerWithoutSecondFactor(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	register(t, env, c)
	c.post("/logout", nil)
	checkPage(t, c.get("/login"), http.StatusOK, `id="public"`)
	res := c.post("/login", url.Values{"login": {phoneInput}, "password": {goodPass}, "public": {"1"}})
	checkRedirect(t, "login", res, "/cabinet")
	ck := strings.Join(res.header.Values("Set-Cookie"), "\n")
	if !strings.Contains(ck, "civis_session=") || strings.Contains(ck, "Expires=") || strings.Contains(ck, "Max-Age=") {
		t.Errorf("session cookie %q, want one without Expires or Max-Age", ck)
	}
	c.post("/logout", nil)
	res = c.post("/login", url.Values{"login": {phoneInput}, "password": {goodPass}})
	if ck := strings.Join(res.header.Values("Set-Cookie"), "\n"); !strings.Contains(ck, "Expires=") {
		t.Errorf("a normal sign-in's cookie %q has no Expires", ck)
	}
}

var powRE = regexp.MustCompile(`data-pow-challenge="([^"]+)" data-pow-bits="(\d+)"`)

// TestLoginProofOfWork: after three wrong passwords the form carries a challenge; a solved
// one signs in.
func TestLoginProofOfWork(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	c.post("/logout", nil)
	for range 3 {
		checkPage(t, c.post("/login", url.Values{"login": {emailInput}, "password": {"Wrong-Pass-1"}}), http.StatusUnauthorized)
	}
	res := c.post("/login", url.Values{"login": {emailInput}, "password": {goodPass}})
	checkPage(t, res, http.StatusPreconditionRequired, "short automatic check", `name="pow_nonce"`)
	m := powRE.FindStringSubmatch(res.body)
	if m == nil || m[2] != "14" {
		t.Fatalf("no 14-bit challenge on the page: %v", m)
	}
	sol := pow.Solve(pow.Challenge{Value: html.UnescapeString(m[1]), Bits: 14})
	res = c.post("/login", url.Values{"login": {emailInput}, "password": {goodPass},
		"pow_challenge": {sol.Challenge}, "pow_nonce": {sol.Nonce}})
	checkRedirect(t, "login with the solved challenge", res, "/cabinet")
}

// TestSecurityNeedsRecentSignIn: after 10 minutes the page asks for the password before any
// change.
func TestSecurityNeedsRecentSignIn(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)
	env.App.Sessions.Now = clk.now
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	clk.t = clk.t.Add(11 * time.Minute)
	page := c.get("/cabinet/security")
	checkPage(t, page, http.StatusOK, "Confirm your password", `id="reauth-submit"`)
	if strings.Contains(page.body, `id="totp-begin"`) {
		t.Error("the page offers changes without a recent sign-in")
	}
	checkPage(t, c.post("/cabinet/security/totp-begin", nil), http.StatusForbidden, "Confirm your password first.")
	res := c.post("/cabinet/security/reauth", url.Values{"password": {"Wrong-Pass-1"}})
	checkPage(t, res, http.StatusUnprocessableEntity, "The password is not correct.")
	checkInvalid(t, res.body, "password")
	res = c.post("/cabinet/security/reauth", url.Values{"password": {goodPass}})
	checkRedirect(t, "reauth", res, "/cabinet/security?done=reauth")
	checkPage(t, c.get(res.location()), http.StatusOK, "Password confirmed.", `id="totp-begin"`)
	res = c.post("/cabinet/security/recovery-codes", nil)
	checkPage(t, res, http.StatusOK, `id="recovery-codes"`)
	if n := strings.Count(res.body, "<li><code>"); n != 10 {
		t.Errorf("%d recovery codes on the page, want 10", n)
	}
}

// TestSignInToSiteWithSecondFactor: the second step keeps the site's authorization; a site
// that asks for two factors gets the second step even on a remembered device.
func TestSignInToSiteWithSecondFactor(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)
	s := newSite(t, env, rp.Input{})
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	secret := enableTOTPPage(t, c, clk)
	c.post("/logout", nil)

	signIn := func(extra url.Values) (id string, res response) {
		t.Helper()
		authURL, _ := s.authorizeURL(scopes, extra)
		_, at := c.follow(authURL)
		id = authID(t, at)
		return id, c.post("/login", url.Values{"login": {emailNorm}, "password": {goodPass}, "auth_request": {id}})
	}
	id, res := signIn(nil)
	step := res.location()
	if res.status != http.StatusSeeOther || !strings.HasSuffix(step, "?auth_request="+id) {
		t.Fatalf("sign in for the site: %d to %q, want the second step keeping the authorization", res.status, step)
	}
	checkPage(t, c.get(step), http.StatusOK, `name="auth_request" value="`+id+`"`)
	clk.t = clk.t.Add(30 * time.Second)
	res = c.post(strings.Split(step, "?")[0], url.Values{"method": {"totp"}, "code": {totpCode(t, secret, clk.t)},
		"auth_request": {id}, "remember": {"1"}})
	checkRedirect(t, "second factor for the site", res, "/oidc/login?id="+id)
	res, _ = c.follow(res.location())
	res = c.post("/oidc/consent", url.Values{"id": {id}, "decision": {"approve"}})
	res, _ = c.follow(res.location())
	s.checkCode(s.callback(res))
	c.post("/logout", nil)

	id, res = signIn(nil)
	checkRedirect(t, "a remembered device, no level asked", res, "/oidc/login?id="+id)
	c.post("/logout", nil)
	_, res = signIn(url.Values{"acr_values": {"urn:civis:aal:2"}})
	if p, _, _ := strings.Cut(res.location(), "?"); !loginIDRE.MatchString(p) {
		t.Errorf("a site asking for aal 2 on a remembered device: %d to %q, want the second step", res.status, res.location())
	}
}
