package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/staff"
)

// standardCitizen brings an account to the standard level: the dev simulator's sample person
// 1 (Иванов), checked by the registries.
func standardCitizen(t *testing.T, env *apptest.Env, phone string) {
	t.Helper()
	c := newClient(t, env.URL, "ru")
	careCitizen(t, env, phone)
	signInPage(t, c, phone, carePass)
	for _, f := range []url.Values{ivanovPersonal(), snilsForm("112-233-445 95"), ivanovPassport()} {
		saveSection(t, c, f)
	}
	submitProfile(t, c)
	env.Deliver()
	if got := cabinetLevel(t, c); got != "Стандартная" {
		t.Fatalf("the citizen's level is %q, want Стандартная", got)
	}
}

// TestBrowserWorkstation: an operator signs in with the authenticator app, searches by SNILS
// with a reason, registers a citizen (who then shows as confirmed), confirms the identity of a
// standard account by typing the passport number again, and restores access with a new phone.
func TestBrowserWorkstation(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	clk := withClock(env)
	op := newStaffer(t, env, "+79164440009", centerA, staff.Operator, true)
	standardCitizen(t, env, "+79164440001")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()

	b.do("open the site", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/register"]`)))
	if lang := run(b, "read lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ru" {
		b.do("switch to Russian", chromedp.Click(chromedp.CSS(`.lang-switch button`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] a[href="/register"]`)))
	}
	b.do("sign in with the password",
		chromedp.Navigate(env.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), op.phone),
		chromedp.SendKeys(chromedp.ID("password"), carePass),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("second-factor-submit")),
	)
	clk.t = clk.t.Add(30 * time.Second)
	b.do("type the code from the app",
		chromedp.SendKeys(chromedp.ID("code"), totpCode(t, staffSecret, clk.t)),
		chromedp.Click(chromedp.ID("second-factor-submit")),
		chromedp.WaitVisible(chromedp.ID("account-level")),
	)

	// Register a citizen who has no account (the simulator's sample person 10).
	b.searchSNILS(env.URL, "901-234-567 64", "регистрация гражданина")
	if got := run(b, "read the answer", chromedp.Evaluate[string](`document.getElementById("found").dataset.exists`)); got != "false" {
		t.Fatalf("a search for an unknown SNILS found an account (%s)", got)
	}
	b.do("open the register form",
		chromedp.Click(chromedp.ID("register-open")),
		chromedp.WaitVisible(chromedp.ID("register-form")),
	)
	if got := run(b, "read the SNILS", chromedp.Value(chromedp.ID("op-snils"))); got != "90123456764" {
		t.Errorf("the register form's SNILS is %q, want the one searched", got)
	}
	b.do("fill in and register",
		chromedp.SendKeys(chromedp.ID("op-last_name"), "Васильева"),
		chromedp.SendKeys(chromedp.ID("op-first_name"), "Ольга"),
		chromedp.SendKeys(chromedp.ID("op-middle_name"), "Николаевна"),
		chromedp.Click(chromedp.ID("gender-female")),
		chromedp.SendKeys(chromedp.ID("op-birth_date"), "12.04.1970"),
		chromedp.SendKeys(chromedp.ID("op-birth_place"), "г. Уфа"),
		chromedp.SendKeys(chromedp.ID("op-phone"), "+7 916 444-00-02"),
		chromedp.SendKeys(chromedp.ID("op-passport_series"), "8004"),
		chromedp.SendKeys(chromedp.ID("op-passport_number"), "998877"),
		chromedp.SendKeys(chromedp.ID("op-passport_issue_date"), "20.05.2015"),
		chromedp.SendKeys(chromedp.ID("op-passport_issuer"), "МВД по Республике Башкортостан"),
		chromedp.SendKeys(chromedp.ID("op-passport_department_code"), "020-001"),
		chromedp.Click(chromedp.ID("register-submit")),
		chromedp.WaitVisible(chromedp.ID("outcome")),
	)
	if got := b.text("outcome"); !strings.Contains(got, "Гражданин зарегистрирован") {
		t.Fatalf("after registering: %q", got)
	}
	env.Deliver() // the registries check the new citizen's data
	b.searchSNILS(env.URL, "901-234-567 64", "проверка регистрации")
	if got := b.text("found-level"); got != "Подтверждённая" {
		t.Errorf("the registered citizen's level is %q, want Подтверждённая", got)
	}

	// Confirm the identity of the standard account.
	b.searchSNILS(env.URL, "112-233-445 95", "подтверждение личности")
	if got := b.text("found-level"); got != "Стандартная" {
		t.Errorf("the standard citizen's level is %q", got)
	}
	if got := b.text("person-last_name"); got != "Иванов" {
		t.Errorf("the person to compare is %q, want Иванов", got)
	}
	b.do("type the passport number and confirm",
		chromedp.SendKeys(chromedp.ID("op-passport_number"), "123456"),
		chromedp.Click(chromedp.ID("confirm-submit")),
		chromedp.WaitVisible(chromedp.ID("outcome")),
	)
	if got := b.text("outcome"); !strings.Contains(got, "Личность подтверждена") {
		t.Fatalf("after confirming: %q", got)
	}

	// Restore access with a new phone.
	b.searchSNILS(env.URL, "112-233-445 95", "утерян телефон")
	if got := b.text("found-level"); got != "Подтверждённая" {
		t.Errorf("the confirmed citizen's level is %q", got)
	}
	b.do("restore access with a new phone",
		chromedp.Click(chromedp.ID("restore-link")),
		chromedp.WaitVisible(chromedp.ID("restore-form")),
		chromedp.SendKeys(chromedp.ID("op-new_phone"), "+7 916 444-00-03"),
		chromedp.SendKeys(chromedp.ID("op-reason"), "утерян телефон"),
		chromedp.Click(chromedp.ID("restore-submit")),
		chromedp.WaitVisible(chromedp.ID("outcome")),
	)
	if got := b.text("outcome"); !strings.Contains(got, "Доступ восстановлен") {
		t.Fatalf("after restoring: %q", got)
	}
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// searchSNILS opens the workstation and searches by SNILS with a reason.
func (b *browser) searchSNILS(base, snils, reason string) {
	b.t.Helper()
	b.do("search for "+snils,
		chromedp.Navigate(base+"/operator"),
		chromedp.WaitVisible(chromedp.ID("search-form")),
		chromedp.Click(chromedp.ID("kind-snils")),
		chromedp.SendKeys(chromedp.ID("op-value"), snils),
		chromedp.SendKeys(chromedp.ID("op-reason"), reason),
		chromedp.Click(chromedp.ID("search-submit")),
		chromedp.WaitVisible(chromedp.ID("found")),
	)
}
