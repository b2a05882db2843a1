package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/app/apptest"
)

// TestProfileBrowser registers, fills in the profile with the live checks of profile.js,
// submits it, and watches the level change once the registries have answered.
func TestProfileBrowser(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()

	b.do("open the site", chromedp.Navigate(env.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/register"]`)))
	if lang := run(b, "read lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ru" {
		b.do("switch to Russian", chromedp.Click(chromedp.CSS(`.lang-switch button`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] a[href="/register"]`)))
	}
	b.registerInBrowser(t, env)
	b.usePasswordPage(t)
	b.do("create the account", chromedp.Click(chromedp.ID("password-submit")), chromedp.WaitVisible(chromedp.ID("account-level")))
	b.do("open the profile", chromedp.Click(chromedp.ID("profile-link")), chromedp.WaitVisible(chromedp.ID("personal-last_name")))

	b.fillPersonal()
	b.typeSNILS(t)
	b.fillPassport(t)

	b.do("submit", chromedp.Click(chromedp.ID("profile-submit")), b.waitURL("submitted=1"),
		chromedp.WaitVisible(chromedp.ID("profile-polling")))
	if got := b.text("verification-lead"); !strings.Contains(got, "Данные проверяются") {
		t.Errorf("after submitting: %q, want being checked", got)
	}
	if ro := run(b, "read snils", chromedp.Evaluate[bool](`document.getElementById("snils").readOnly`)); !ro {
		t.Error("the SNILS is editable while checked")
	}

	env.Deliver() // the registries answer; the page polls and shows the result
	b.do("wait for the page to update itself",
		waitJS(`document.readyState === "complete" && document.getElementById("profile-level").textContent === "Стандартная"`))
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("profile-level")))
	if got := b.text("profile-level"); got != "Стандартная" {
		t.Errorf("level %q after the checks, want Стандартная", got)
	}
	if got := b.text("section-snils-state"); got != "подтверждено" {
		t.Errorf("SNILS state %q, want подтверждено", got)
	}
	b.do("open the cabinet", chromedp.Navigate(env.URL+"/cabinet"), chromedp.WaitVisible(chromedp.ID("account-level")))
	if got := b.text("account-level"); got != "Стандартная" {
		t.Errorf("cabinet level %q, want Стандартная", got)
	}
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

// waitURL waits until the page at a URL containing part has loaded.
func (b *browser) waitURL(part string) chromedp.Action[chromedp.Void] {
	return waitJS(`location.href.includes(` + jsString(part) + `) && document.readyState === "complete"`)
}

// waitJS waits until the expression is true; a page navigating away answers with an error, and
// is asked again.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			if ok, err := chromedp.Evaluate[bool](expr)(ctx, tg); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// replace types v into the input id instead of its value.
func replace(id, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		clear := `(document.getElementById(` + jsString(id) + `).value = "", true)`
		if _, err := chromedp.Evaluate[bool](clear)(ctx, tg); err != nil {
			return err
		}
		_, err := chromedp.SendKeys(chromedp.ID(id), v)(ctx, tg)
		return err
	})
}

func (b *browser) fillPersonal() {
	b.do("fill in the personal data",
		replace("personal-last_name", "Иванов"),
		replace("personal-first_name", "Иван"),
		replace("personal-middle_name", "Иванович"),
		chromedp.Click(chromedp.ID("personal-gender-M")),
		chromedp.SendKeys(chromedp.ID("personal-birth_date"), "14.03.1985"),
		chromedp.SendKeys(chromedp.ID("personal-birth_place"), "г. Москва"),
		chromedp.Click(chromedp.ID("section-personal-save")),
		b.waitURL("saved=personal"),
	)
}

// typeSNILS types a SNILS with a wrong check digit, sees the live error, and corrects it.
func (b *browser) typeSNILS(t *testing.T) {
	t.Helper()
	b.do("type a wrong SNILS", chromedp.SendKeys(chromedp.ID("snils"), "112-233-445 96"),
		chromedp.WaitVisible(chromedp.ID("snils-error")))
	if got := b.text("snils-error"); !strings.Contains(got, "не сходятся контрольные цифры") {
		t.Errorf("live SNILS error %q, want the check digits message", got)
	}
	if inv := run(b, "read aria-invalid", chromedp.Evaluate[string](`document.getElementById("snils").getAttribute("aria-invalid") + " " +
		document.getElementById("snils").getAttribute("aria-describedby")`)); !strings.HasPrefix(inv, "true snils-error") {
		t.Errorf("the SNILS input is not tied to its error: %q", inv)
	}
	b.do("correct the SNILS", replace("snils", "112-233-445 95"), chromedp.WaitNotPresent(chromedp.ID("snils-error")),
		chromedp.Click(chromedp.ID("section-snils-save")), b.waitURL("saved=snils"))
}

func (b *browser) fillPassport(t *testing.T) {
	t.Helper()
	if vis := run(b, "read the country field", chromedp.Evaluate[bool](
		`document.getElementById("id_doc-country").closest(".field").hidden`)); !vis {
		t.Error("the foreign passport's country shows for a Russian passport")
	}
	b.do("type a short department code", chromedp.SendKeys(chromedp.ID("id_doc-department_code"), "77-01"),
		chromedp.Focus(chromedp.ID("id_doc-issuer")), chromedp.WaitVisible(chromedp.ID("id_doc-department_code-error")))
	b.do("fill in the passport",
		chromedp.SendKeys(chromedp.ID("id_doc-series"), "45 09"),
		chromedp.SendKeys(chromedp.ID("id_doc-number"), "123456"),
		chromedp.SendKeys(chromedp.ID("id_doc-issue_date"), "02.04.2005"),
		chromedp.SendKeys(chromedp.ID("id_doc-issuer"), "ОВД Тверского района г. Москвы"),
		replace("id_doc-department_code", "770-001"),
		chromedp.WaitNotPresent(chromedp.ID("id_doc-department_code-error")),
		chromedp.Click(chromedp.ID("section-id_doc-save")),
		b.waitURL("saved=id_doc"),
	)
}
