package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/app/apptest"
)

// TestBrowserAccountCare: recovering access through the pages (the proof of work solved by
// the page's script), the list of signed-in devices with signing one out, and deleting the
// account.
func TestBrowserAccountCare(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	careCitizen(t, env, "+79161234567")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()

	b.do("open recovery from the sign-in page",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.Click(chromedp.ID("forgot-password"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("recover-form")),
		chromedp.Click(chromedp.ID("kind-phone")),
		chromedp.SendKeys(chromedp.ID("value"), "8 916 123 45 67"),
		chromedp.Click(chromedp.ID("recover-submit")),
		chromedp.WaitVisible(chromedp.ID("recover-confirm")),
	)
	b.do("type the code",
		chromedp.SendKeys(chromedp.ID("code"), env.Code("+79161234567")),
		chromedp.Click(chromedp.ID("recover-confirm")),
		chromedp.WaitVisible(chromedp.ID("recover-password-submit")),
		chromedp.Click(chromedp.ID("password-generate"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("password-generated")),
	)
	pw := run(b, "read the generated password", chromedp.Value(chromedp.ID("password")))
	b.do("set the password and sign in with it",
		chromedp.Click(chromedp.ID("recover-password-submit")),
		chromedp.Click(chromedp.ID("recover-login"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "+79161234567"),
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("account-level")),
	)

	// Another device signs in; the account page lists it and signs it out.
	other := newClient(t, env.URL, "ru")
	signInPage(t, other, "+79161234567", pw)
	b.do("open the account page", chromedp.Click(chromedp.ID("account-link"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("sessions")))
	if n := run(b, "count sessions", chromedp.Evaluate[int](`document.querySelectorAll("li.session").length`)); n != 2 {
		t.Errorf("the account page lists %d sessions, want 2 (this browser and the other device)", n)
	}
	b.do("sign the other device out",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("li.session:not(:has(.badge)) button").click()`),
		chromedp.WaitVisible(chromedp.CSS(`.notice[role="status"]`)),
	)
	if n := run(b, "count sessions", chromedp.Evaluate[int](`document.querySelectorAll("li.session").length`)); n != 1 {
		t.Errorf("after signing one out the page lists %d sessions, want 1", n)
	}
	if loc := other.get("/cabinet").location(); loc != "/login" {
		t.Errorf("the other device is still signed in (cabinet -> %q)", loc)
	}

	b.do("delete the account",
		chromedp.Click(chromedp.ID("account-delete-link")),
		chromedp.WaitVisible(chromedp.ID("delete-submit")),
		chromedp.SendKeys(chromedp.ID("current_password"), pw),
		chromedp.Click(chromedp.ID("delete-submit")),
		chromedp.WaitVisible(chromedp.ID("account-deleted")),
	)
	if got := b.text("account-deleted"); got == "" {
		t.Error("no confirmation of the deletion")
	}
	b.do("the cabinet asks to sign in", chromedp.Navigate(env.URL+"/cabinet"), chromedp.WaitVisible(chromedp.ID("login")))
	if res := other.post("/login", url.Values{"login": {"+79161234567"}, "password": {pw}}); res.location() == "/cabinet" {
		t.Error("the deleted account still signs in")
	}
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}
