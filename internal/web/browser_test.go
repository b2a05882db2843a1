package web_test

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/credential"
)

// findBrowser returns the path of Chromium or Chrome, or skips the test.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed: apt-get install chromium")
	return ""
}

// browser drives one headless tab; each step has its own deadline inside the test's.
type browser struct {
	t   *testing.T
	ctx context.Context
}

const stepTimeout = 20 * time.Second

func newBrowser(t *testing.T, ctx context.Context) *browser {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(findBrowser(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tabCtx); err != nil { // starts the browser under the test's deadline
		t.Fatalf("start browser: %v", err)
	}
	return &browser{t: t, ctx: tabCtx}
}

// do runs steps within one step's deadline.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// run returns the value of one action within one step's deadline.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the trimmed text of the element with the id.
func (b *browser) text(id string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "read #"+id, chromedp.Text(chromedp.ID(id), chromedp.NodeVisible)))
}

// console collects the page's errors, CSP violations among them.
type console struct {
	mu   sync.Mutex
	errs []string
	done chan struct{}
}

func (b *browser) watchConsole() *console {
	c := &console{done: make(chan struct{})}
	msgs := chromedp.Console(b.ctx)
	go func() {
		defer close(c.done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				c.mu.Lock()
				c.errs = append(c.errs, m.String())
				c.mu.Unlock()
			}
		}
	}()
	return c
}

func (c *console) errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

func TestBrowser(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()
	base := env.URL

	b.do("open the site", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/register"]`)))
	if lang := run(b, "read lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ru" {
		b.do("switch to Russian", chromedp.Click(chromedp.CSS(`.lang-switch button`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] a[href="/register"]`)))
	}

	b.registerInBrowser(t, env)
	password := b.usePasswordPage(t)

	b.do("create the account", chromedp.Click(chromedp.ID("password-submit")),
		chromedp.WaitVisible(chromedp.ID("account-level")))
	b.checkCabinet(t)
	b.do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.CSS(`main a[href="/login"]`)))

	for _, login := range []string{"+7 916 123 45 67", "IVAN.PETROV@EXAMPLE.RU"} {
		b.do("sign in as "+login,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.ID("login")),
			chromedp.SendKeys(chromedp.ID("login"), login),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("account-level")),
		)
		b.checkCabinet(t)
		b.do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.CSS(`main a[href="/login"]`)))
	}
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// registerInBrowser fills the registration form, types the SMS code and follows the email link
// up to the password page.
func (b *browser) registerInBrowser(t *testing.T, env *apptest.Env) {
	t.Helper()
	b.do("fill the registration form",
		chromedp.Click(chromedp.CSS(`main a[href="/register"]`)),
		chromedp.WaitVisible(chromedp.ID("last_name")),
		chromedp.SendKeys(chromedp.ID("last_name"), "Петров"),
		chromedp.SendKeys(chromedp.ID("first_name"), "Иван"),
		chromedp.SendKeys(chromedp.ID("middle_name"), "Сергеевич"),
		chromedp.SendKeys(chromedp.ID("phone"), phoneInput),
		chromedp.SendKeys(chromedp.ID("email"), emailInput),
		chromedp.Click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("code-phone")),
	)
	if got := b.text("code-phone-hint"); !strings.Contains(got, "+7 916 ***-**-67") {
		t.Errorf("phone hint %q does not show the masked number", got)
	}
	b.do("type the SMS code",
		chromedp.SendKeys(chromedp.ID("code-phone"), env.Code(phoneE164)),
		chromedp.Click(chromedp.ID("confirm-phone")),
		chromedp.WaitVisible(chromedp.CSS(`.confirmed`)),
	)
	b.do("confirm the email by its link",
		chromedp.Navigate(env.URL+emailLink(t, env, emailNorm)),
		chromedp.Click(chromedp.ID("confirm-button"), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.ID("password-generate")),
	)
}

// usePasswordPage checks the live rules and the generator, and returns the generated password.
func (b *browser) usePasswordPage(t *testing.T) string {
	t.Helper()
	b.do("type a weak password", chromedp.SendKeys(chromedp.ID("password"), "abc"))
	for rule, want := range map[string]bool{"lower": true, "upper": false, "digit": false, "length": false} {
		if got := b.ruleMet(rule); got != want {
			t.Errorf("after typing abc, rule %s met = %v, want %v", rule, got, want)
		}
	}
	b.do("generate a password", chromedp.Click(chromedp.ID("password-generate")),
		chromedp.WaitVisible(chromedp.ID("password-generated")))
	pw := run(b, "read the password", chromedp.Value(chromedp.ID("password")))
	if len(pw) != 16 || len(credential.CheckPassword(pw)) != 0 {
		t.Errorf("generated password %q: length %d, violations %v", pw, len(pw), credential.CheckPassword(pw))
	}
	if typ := run(b, "read the input type", chromedp.Evaluate[string](`document.getElementById("password").type`)); typ != "text" {
		t.Errorf("generated password input type %q, want text (shown)", typ)
	}
	for _, rule := range []string{"length", "lower", "upper", "digit", "special"} {
		if !b.ruleMet(rule) {
			t.Errorf("after generating, rule %s is not met", rule)
		}
	}
	return pw
}

// ruleMet reports whether the rule's line is ticked.
func (b *browser) ruleMet(rule string) bool {
	b.t.Helper()
	return run(b, "read rule "+rule, chromedp.Evaluate[bool](
		`document.querySelector('li[data-rule="`+rule+`"]').classList.contains("rule-met")`))
}

func (b *browser) checkCabinet(t *testing.T) {
	t.Helper()
	if got := b.text("account-title"); got != "Петров Иван Сергеевич" {
		t.Errorf("cabinet name %q", got)
	}
	if got := b.text("account-level"); got != "Упрощённая" {
		t.Errorf("cabinet level %q, want Упрощённая", got)
	}
}
