package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/app/apptest"
)

// browserAccount registers an account through the pages (without a browser) and signs it out.
func browserAccount(t *testing.T, env *apptest.Env, base string) {
	t.Helper()
	c := newClient(t, base, "")
	register(t, env, c)
	c.post("/logout", nil)
}

// signInWithPassword fills the sign-in form; wait is the element to wait for afterwards.
func signInWithPassword[S chromedp.Selectable](b *browser, base, login string, wait S) {
	b.t.Helper()
	b.do("sign in as "+login,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), login),
		chromedp.SendKeys(chromedp.ID("password"), goodPass),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(wait),
	)
}

// checkSignedIn checks that the cabinet shows the account.
func (b *browser) checkSignedIn(t *testing.T) {
	t.Helper()
	if got := b.text("account-title"); got != "Петров Иван Сергеевич" {
		t.Errorf("cabinet name %q", got)
	}
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.CSS(`main a[href="/login"]`)))
}

// TestBrowserTOTP: turn on an authenticator app in the cabinet, sign out, and sign in with
// the password and a code from the app, remembering the device.
func TestBrowserTOTP(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	clk := withClock(env)
	browserAccount(t, env, env.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()

	signInWithPassword(b, env.URL, emailInput, chromedp.ID("account-level"))
	b.do("open the security page", chromedp.Click(chromedp.ID("security-link")), chromedp.WaitVisible(chromedp.ID("totp-begin")))
	b.do("set up the app", chromedp.Click(chromedp.ID("totp-begin")), chromedp.WaitVisible(chromedp.ID("totp-qr")))
	if w := run(b, "read the QR code's width", chromedp.Evaluate[int](`document.getElementById("totp-qr").naturalWidth`)); w == 0 {
		t.Error("the QR code image did not load (CSP img-src?)")
	}
	secret := b.text("totp-secret")
	b.do("type the app's code",
		chromedp.SendKeys(chromedp.ID("totp-code"), totpCode(t, secret, clk.t)),
		chromedp.Click(chromedp.ID("totp-confirm")),
		chromedp.WaitVisible(chromedp.ID("totp-disable")),
	)
	b.do("back to the cabinet", chromedp.Navigate(env.URL+"/cabinet"), chromedp.WaitVisible(chromedp.ID("logout")))
	b.signOut()

	signInWithPassword(b, env.URL, phoneInput, chromedp.ID("code"))
	clk.t = clk.t.Add(30 * time.Second) // the next code of the app
	b.do("type the next code and remember the device",
		chromedp.SendKeys(chromedp.ID("code"), totpCode(t, secret, clk.t)),
		chromedp.Click(chromedp.ID("remember")),
		chromedp.Click(chromedp.ID("second-factor-submit")),
		chromedp.WaitVisible(chromedp.ID("account-level")),
	)
	b.checkSignedIn(t)
	b.signOut()
	signInWithPassword(b, env.URL, phoneInput, chromedp.ID("account-level")) // remembered: no second step
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowserPasskey: add a passkey in the cabinet with Chromium's virtual authenticator,
// sign in with it alone, then use it as the second factor after the password.
func TestBrowserPasskey(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t, apptest.WithIssuerHost("localhost")) // passkeys need a domain
	base := env.App.Config.Issuer
	browserAccount(t, env, base)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()
	b.addVirtualAuthenticator()

	signInWithPassword(b, base, emailInput, chromedp.ID("account-level"))
	b.do("open the security page", chromedp.Navigate(base+"/cabinet/security"), chromedp.WaitVisible(chromedp.ID("passkey-add")))
	b.do("add a passkey",
		chromedp.SendKeys(chromedp.ID("passkey-name"), "Chromium"),
		chromedp.Click(chromedp.ID("passkey-add")),
		chromedp.WaitVisible(chromedp.ID("passkey-list")),
	)
	if got := b.text("passkey-list"); !strings.Contains(got, "Chromium") {
		t.Errorf("passkey list %q lacks the new passkey", got)
	}
	b.do("back to the cabinet", chromedp.Navigate(base+"/cabinet"), chromedp.WaitVisible(chromedp.ID("logout")))
	b.signOut()

	b.do("sign in with the passkey alone",
		chromedp.Navigate(base+"/login"),
		chromedp.Click(chromedp.ID("passkey-login"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("account-level")),
	)
	b.checkSignedIn(t)
	b.signOut()

	signInWithPassword(b, base, phoneInput, chromedp.ID("passkey-second-factor"))
	b.do("use the passkey as the second factor",
		chromedp.Click(chromedp.ID("passkey-second-factor")),
		chromedp.WaitVisible(chromedp.ID("account-level")),
	)
	b.checkSignedIn(t)
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// addVirtualAuthenticator gives the tab a platform authenticator that holds discoverable
// passkeys, verifies the user and needs no touch.
func (b *browser) addVirtualAuthenticator() {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		b.t.Fatalf("WebAuthn.enable: %v", err)
	}
	_, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true}})
	if err != nil {
		b.t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
}

// TestBrowserProofOfWork: after wrong passwords for the login, the sign-in page's script
// solves the challenge while the citizen types the password again.
func TestBrowserProofOfWork(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	browserAccount(t, env, env.URL)
	c := newClient(t, env.URL, "")
	for range 3 {
		c.post("/login", url.Values{"login": {emailInput}, "password": {"Wrong-Pass-1"}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()
	signInWithPassword(b, env.URL, emailInput, chromedp.CSS(".pow-status"))
	b.do("type the password again and sign in",
		chromedp.SendKeys(chromedp.ID("password"), goodPass),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("account-level")),
	)
	b.checkSignedIn(t)
	var errs []string
	for _, e := range cons.errors() {
		if !strings.Contains(e, "status of 428") { // the page that asks for the work, as intended
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}
