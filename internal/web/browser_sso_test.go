package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
)

// TestBrowserSignInToSite signs in to sites in a real browser, under the real CSP: consent
// and the code at the site, the refusal page and its way back, then logout through the site
// with its front-channel frame and the automatic return to the site.
func TestBrowserSignInToSite(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	s := newSite(t, env, rp.Input{})
	strict := newSite(t, env, rp.Input{Name: "Налоговая служба", MinLevel: "standard"})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()

	b.do("open Civis", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/register"]`)))
	if lang := run(b, "read lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ru" {
		b.do("switch to Russian", chromedp.Click(chromedp.CSS(`.lang-switch button`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] a[href="/register"]`)))
	}
	b.registerInBrowser(t, env)
	password := b.usePasswordPage(t)
	b.do("create the account", chromedp.Click(chromedp.ID("password-submit")), chromedp.WaitVisible(chromedp.ID("account-level")))
	b.do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.CSS(`main a[href="/login"]`)))

	authURL, verifier := s.authorizeURL(scopes, url.Values{"login_hint": {emailNorm}})
	b.do("open the site's authorization", chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.ID("login-site")))
	if got := b.text("login-site"); got != "Войдите, чтобы продолжить на сайте «Портал услуг»." {
		t.Errorf("sign-in page says %q", got)
	}
	if got := run(b, "read the login", chromedp.Value(chromedp.ID("login"))); got != emailNorm {
		t.Errorf("login field %q, want the site's login_hint %q", got, emailNorm)
	}
	b.do("sign in for the site", chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("consent-approve")))
	if got := b.text("consent-data"); !strings.Contains(got, "Фамилия, имя и отчество") || !strings.Contains(got, "Электронная почта") {
		t.Errorf("consent page lists %q", got)
	}
	b.do("approve", chromedp.Click(chromedp.ID("consent-approve")))
	q := b.waitLocation(s.redirect)
	s.checkCode(q)
	if got := run(b, "read the site's page", chromedp.Evaluate[string](`document.body.innerText`)); strings.TrimSpace(got) != "ok" {
		t.Errorf("the site's callback page says %q", got)
	}

	authURL, _ = strict.authorizeURL(scopes, nil)
	b.do("open the strict site's authorization", chromedp.Navigate(authURL), chromedp.WaitVisible(chromedp.ID("refuse-back")))
	if got := b.text("refuse-reason"); !strings.Contains(got, "«Стандартная»") || !strings.Contains(got, "«Упрощённая»") {
		t.Errorf("refusal reason %q does not name the levels", got)
	}
	if got := b.text("refuse-steps"); !strings.Contains(got, "указать СНИЛС") {
		t.Errorf("refusal steps %q", got)
	}
	b.do("go back to the site", chromedp.Click(chromedp.ID("refuse-back")))
	strict.checkError(b.waitLocation(strict.redirect), "unmet_authentication_requirements")

	s.exchange(q.Get("code"), verifier) // the site now holds tokens of this session
	b.do("sign out through the site", chromedp.Navigate(env.URL+"/oidc/end_session?"+url.Values{
		"client_id": {s.client.ID}, "post_logout_redirect_uri": {s.srv.URL + "/bye"}}.Encode()),
		chromedp.WaitVisible(chromedp.ID("logout-confirm")))
	b.do("confirm signing out", chromedp.Click(chromedp.ID("logout-confirm")))
	b.waitLocation(s.srv.URL + "/bye")
	if got := s.got("/frontchannel"); len(got) != 1 || !strings.Contains(got[0], "sid=") {
		t.Errorf("front-channel logout requests %q, want one with sid", got)
	}
	if errs := expected(cons.errors(), "status of 403"); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// waitLocation waits until the tab has loaded a page at a URL starting with prefix, and
// returns its query. A read that races a navigation fails ("Inspected target navigated or
// closed"); that is the tab moving on, so the loop reads again.
func (b *browser) waitLocation(prefix string) url.Values {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	loc, lastErr := "", error(nil)
	for time.Now().Before(deadline) && b.ctx.Err() == nil {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`document.readyState === "complete" ? location.href : ""`))
		cancel()
		if err != nil {
			lastErr = err
		} else if got != "" {
			loc = got
		}
		if err == nil && strings.HasPrefix(got, prefix) {
			u, err := url.Parse(got)
			if err != nil {
				b.t.Fatal(err)
			}
			return u.Query()
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("the browser is at %s, want %s... (last error: %v)", loc, prefix, lastErr)
	return nil
}

// expected removes from errs the one message containing want: the browser logs the refusal
// page's status as a failed load.
func expected(errs []string, want string) []string {
	for i, e := range errs {
		if strings.Contains(e, want) {
			return append(errs[:i:i], errs[i+1:]...)
		}
	}
	return errs
}
