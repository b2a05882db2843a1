package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/config"
)

const (
	phoneInput = "8 (916) 123-45-67"
	phoneE164  = "+79161234567"
	emailInput = "Ivan.Petrov@Example.RU"
	emailNorm  = "ivan.petrov@example.ru"
	goodPass   = "Kx7#mQ2v!Lp9"
)

func registrationForm() url.Values {
	return url.Values{
		"last_name": {"Петров"}, "first_name": {"Иван"}, "middle_name": {"Сергеевич"},
		"phone": {phoneInput}, "email": {emailInput},
	}
}

var flowPathRE = regexp.MustCompile(`^/register/([0-9a-f-]{36})$`)

// startRegistration posts the registration form and returns the flow's code page path.
func startRegistration(t *testing.T, c *client, form url.Values) string {
	t.Helper()
	res := c.post("/register", form)
	if res.status != http.StatusSeeOther || !flowPathRE.MatchString(res.location()) {
		t.Fatalf("POST /register: got %d to %q, want 303 to a flow", res.status, res.location())
	}
	return res.location()
}

// checkRedirect checks a 303 to want.
func checkRedirect(t *testing.T, what string, res response, want string) {
	t.Helper()
	if res.status != http.StatusSeeOther || res.location() != want {
		t.Fatalf("%s: got %d to %q, want 303 to %q", what, res.status, res.location(), want)
	}
}

// register runs the whole registration through the pages and leaves c signed in.
func register(t *testing.T, env *apptest.Env, c *client) {
	t.Helper()
	flowPath := startRegistration(t, c, registrationForm())
	res := c.post(flowPath+"/confirm", url.Values{"channel": {"phone"}, "code": {env.Code(phoneE164)}})
	checkRedirect(t, "confirm phone", res, flowPath)
	res = c.post(flowPath+"/confirm", url.Values{"channel": {"email"}, "code": {env.Code(emailNorm)}})
	checkRedirect(t, "confirm email", res, flowPath+"/password")
	res = c.post(flowPath+"/password", url.Values{"password": {goodPass}})
	checkRedirect(t, "set password", res, "/cabinet")
}

func TestRegisterToCabinet(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	checkPage(t, c.get("/"), http.StatusOK, "Зарегистрироваться")
	checkPage(t, c.get("/register"), http.StatusOK, `<html lang="ru">`, "Фамилия", "Отчество")
	flowPath := startRegistration(t, c, registrationForm())

	checkPage(t, c.get(flowPath), http.StatusOK, "+7 916 ***-**-67", "i***@example.ru",
		`autocomplete="one-time-code"`, `href="/dev/outbox"`)
	res := c.post(flowPath+"/confirm", url.Values{"channel": {"phone"}, "code": {env.Code(phoneE164)}})
	checkRedirect(t, "confirm phone", res, flowPath)
	checkPage(t, c.get(flowPath), http.StatusOK, "Подтверждено: +7 916 ***-**-67")

	// The one-click email link shows a form and changes nothing until it is posted.
	link := emailLink(t, env, emailNorm)
	checkPage(t, c.get(link), http.StatusOK, `action="`+flowPath+`/confirm"`, "i***@example.ru")
	checkPage(t, c.get(flowPath), http.StatusOK, `id="code-email"`)
	q, _ := url.ParseQuery(link[strings.Index(link, "?")+1:])
	res = c.post(flowPath+"/confirm", url.Values{"channel": {"email"}, "code": {q.Get("code")}})
	checkRedirect(t, "confirm email", res, flowPath+"/password")

	checkPage(t, c.get(flowPath+"/password"), http.StatusOK, `autocomplete="new-password"`,
		"не менее 8 символов", `id="password-generate"`, `aria-live="polite"`)
	res = c.post(flowPath+"/password", url.Values{"password": {goodPass}})
	checkRedirect(t, "set password", res, "/cabinet")
	checkSessionCookie(t, res.header.Values("Set-Cookie"))

	checkPage(t, c.get("/cabinet"), http.StatusOK, "Петров Иван Сергеевич", "Упрощённая",
		"+7 916 123-45-67", emailNorm, "подтверждено", "Стандартная", "указать СНИЛС", "указать паспорт")
	// The finished flow's pages now send the citizen to sign in.
	checkPage(t, c.get(flowPath+"/password"), http.StatusConflict, `href="/login"`)
}

func checkSessionCookie(t *testing.T, cookies []string) {
	t.Helper()
	for _, c := range cookies {
		if strings.HasPrefix(c, "civis_session=") {
			for _, want := range []string{"Path=/", "HttpOnly", "SameSite=Lax"} {
				if !strings.Contains(c, want) {
					t.Errorf("session cookie %q lacks %s", c, want)
				}
			}
			return
		}
	}
	t.Fatalf("no civis_session cookie in %q", cookies)
}

func TestEnglish(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "en-US,en;q=0.9")
	checkPage(t, c.get("/register"), http.StatusOK, `<html lang="en">`, "Surname", "Patronymic", "(optional)")
	register(t, env, c)
	checkPage(t, c.get("/cabinet"), http.StatusOK, "Simplified", "Standard", "add your SNILS", "confirmed")
	if res := c.post("/login", url.Values{"login": {"x@example.ru"}, "password": {"Wrong#Pass1"}}); !strings.Contains(res.body, "Wrong login or password.") {
		t.Errorf("English sign-in error missing:\n%s", res.body)
	}
}

func TestLanguageSwitch(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	res := c.post("/lang", url.Values{"lang": {"en"}, "next": {"/register?x=1"}})
	checkRedirect(t, "POST /lang", res, "/register?x=1")
	if got := c.cookie("lang"); got != "en" {
		t.Errorf("lang cookie = %q, want en", got)
	}
	checkPage(t, c.get("/register"), http.StatusOK, `<html lang="en">`, `name="lang" value="ru"`,
		`name="next" value="/register"`)
	res = c.post("/lang", url.Values{"lang": {"ru"}, "next": {"//evil.example/"}})
	checkRedirect(t, "POST /lang off-site", res, "/")
	checkPage(t, c.get("/login"), http.StatusOK, `<html lang="ru">`)
}

func TestRegisterInvalid(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	res := c.post("/register", url.Values{"last_name": {""}, "first_name": {"Иван1"}, "phone": {"123"}})
	checkPage(t, res, http.StatusUnprocessableEntity, `role="alert"`, "Исправьте ошибки",
		`href="#last_name"`, "Фамилия: Заполните это поле.", "Используйте только буквы",
		"Это не номер мобильного телефона России", `value="Иван1"`)
	checkInvalid(t, res.body, "last_name", "first_name", "phone")
	res = c.post("/register", url.Values{"last_name": {"Петров"}, "first_name": {"Иван"}})
	checkPage(t, res, http.StatusUnprocessableEntity, "Укажите мобильный телефон или электронную почту.")
	checkInvalid(t, res.body, "phone", "email")
}

func TestWrongCode(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	flowPath := startRegistration(t, c, registrationForm())
	wrong := "000000"
	if env.Code(phoneE164) == wrong {
		wrong = "111111"
	}
	res := c.post(flowPath+"/confirm", url.Values{"channel": {"phone"}, "code": {wrong}})
	checkPage(t, res, http.StatusUnprocessableEntity, "Неверный код.")
	checkInvalid(t, res.body, "code-phone")
	res = c.post(flowPath+"/confirm", url.Values{"channel": {"phone"}, "code": {"12ab"}})
	checkPage(t, res, http.StatusUnprocessableEntity, "Код состоит из 6 цифр.")
	res = c.post(flowPath+"/resend", url.Values{"channel": {"phone"}})
	checkPage(t, res, http.StatusTooManyRequests, "Повторите через")
	if res.header.Get("Retry-After") == "" {
		t.Error("a rate-limited answer has no Retry-After")
	}
}

func TestResend(t *testing.T) {
	env := apptest.New(t, func(c *config.Config) { c.ResendCooldown = 0 })
	c := newClient(t, env.URL, "")
	flowPath := startRegistration(t, c, registrationForm())
	env.Deliver()
	res := c.post(flowPath+"/resend", url.Values{"channel": {"phone"}})
	checkRedirect(t, "resend", res, flowPath+"?resent=phone")
	checkPage(t, c.get(res.location()), http.StatusOK, `role="status"`, "Новый код отправлен в SMS.")
	if n := len(env.Messages(phoneE164)); n != 2 {
		t.Errorf("%d messages to the phone, want 2", n)
	}
}

func TestFlowGone(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	checkPage(t, c.get("/register/01900000-0000-7000-8000-000000000000"), http.StatusNotFound, `href="/register"`)
	flowPath := startRegistration(t, c, registrationForm())
	expire(t, env, strings.TrimPrefix(flowPath, "/register/"))
	checkPage(t, c.get(flowPath), http.StatusGone, "Время на регистрацию истекло", `href="/register"`)
	res := c.post(flowPath+"/confirm", url.Values{"channel": {"phone"}, "code": {"123456"}})
	checkPage(t, res, http.StatusGone, "Время на регистрацию истекло")
}

// expire moves the flow's expiry into the past.
func expire(t *testing.T, env *apptest.Env, id string) {
	t.Helper()
	ctx := context.Background()
	reg, err := env.App.DB.GetRegistration(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	reg.ExpiresAt = time.Now().Add(-time.Minute)
	if err := env.App.DB.UpdateRegistration(ctx, reg); err != nil {
		t.Fatal(err)
	}
}

func TestWeakPassword(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	flowPath := startRegistration(t, c, registrationForm())
	c.post(flowPath+"/confirm", url.Values{"channel": {"phone"}, "code": {env.Code(phoneE164)}})
	res := c.post(flowPath+"/password", url.Values{"password": {"password"}})
	checkPage(t, res, http.StatusUnprocessableEntity, `aria-describedby="password-error password-rules"`,
		`aria-invalid="true"`, `id="password-error"`, "Добавьте заглавную латинскую букву",
		"Этот пароль слишком распространён", `class="rule-unmet"`, `role="alert"`)
	if strings.Contains(res.body, `value="password"`) {
		t.Error("the rejected password is shown again")
	}
	// With one contact confirmed the code page lets the citizen go on.
	checkPage(t, c.get(flowPath), http.StatusOK, flowPath+"/password")
}

func TestLoginErrorsAreTheSame(t *testing.T) {
	env := apptest.New(t)
	register(t, env, newClient(t, env.URL, ""))
	anon := newClient(t, env.URL, "")
	wrong := anon.post("/login", url.Values{"login": {emailNorm}, "password": {"Wrong#Pass1"}})
	unknown := anon.post("/login", url.Values{"login": {"nobody@example.ru"}, "password": {"Wrong#Pass1"}})
	checkPage(t, wrong, http.StatusUnauthorized, "Неверный логин или пароль.")
	checkPage(t, unknown, http.StatusUnauthorized, "Неверный логин или пароль.")
	a := strings.Replace(wrong.body, emailNorm, "LOGIN", 1)
	b := strings.Replace(unknown.body, "nobody@example.ru", "LOGIN", 1)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("wrong password and unknown login pages differ (-wrong +unknown):\n%s", diff)
	}
	checkPage(t, anon.post("/login", url.Values{}), http.StatusUnprocessableEntity, "Заполните это поле.")
}

func TestLoginLogout(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	register(t, env, c)
	res := c.post("/logout", nil)
	checkRedirect(t, "logout", res, "/")
	if !strings.Contains(strings.Join(res.header.Values("Set-Cookie"), "\n"), "civis_session=; Path=/; Max-Age=0") {
		t.Errorf("logout does not clear the cookie: %q", res.header.Values("Set-Cookie"))
	}
	checkRedirect(t, "cabinet after logout", c.get("/cabinet"), "/login")
	for _, login := range []string{"+7 (916) 123-4567", "79161234567", "IVAN.PETROV@EXAMPLE.RU"} {
		res := c.post("/login", url.Values{"login": {login}, "password": {goodPass}})
		checkRedirect(t, "login as "+login, res, "/cabinet")
		checkPage(t, c.get("/cabinet"), http.StatusOK, "Петров Иван Сергеевич")
		checkRedirect(t, "signed-in landing", c.get("/"), "/cabinet")
		checkRedirect(t, "signed-in login page", c.get("/login"), "/cabinet")
		c.post("/logout", nil)
	}
}

func TestCabinetNeedsSession(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	checkRedirect(t, "GET /cabinet", c.get("/cabinet"), "/login")
	c.hc.Jar.SetCookies(mustURL(t, env.URL), []*http.Cookie{{Name: "civis_session", Value: "forged"}})
	res := c.get("/cabinet")
	checkRedirect(t, "GET /cabinet with a forged cookie", res, "/login")
	if c.cookie("civis_session") != "" {
		t.Error("a dead session cookie is kept")
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCrossSitePost(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	for _, path := range []string{"/register", "/login", "/logout", "/lang", "/register/x/password", "/oidc/consent",
		"/oidc/cancel", "/cabinet/sites/revoke"} {
		req, _ := http.NewRequest(http.MethodPost, env.URL+path, strings.NewReader("a=b"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res := c.do(req); res.status != http.StatusForbidden {
			t.Errorf("cross-site POST %s: %d, want 403", path, res.status)
		}
	}
}

func TestStatic(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	page := c.get("/login").body
	for _, tc := range []struct{ re, ctype string }{
		{`href="(/static/civis\.css\?v=[0-9a-f]+)"`, "text/css"},
		{`src="(/static/civis\.js\?v=[0-9a-f]+)"`, "text/javascript"},
	} {
		m := regexp.MustCompile(tc.re).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s link in the page", tc.ctype)
		}
		res := c.get(m[1])
		if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s: %d %s", m[1], res.status, res.header.Get("Content-Type"))
		}
		if got := res.header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
			t.Errorf("GET %s: Cache-Control %q", m[1], got)
		}
	}
	for _, path := range []string{"/static/", "/static/nope.js"} {
		if res := c.get(path); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, res.status)
		}
	}
}

func TestLogsHoldNoPersonalData(t *testing.T) {
	env := apptest.New(t)
	srv, logs := pagesOnly(t, env, env.App.DB)
	c := newClient(t, srv.URL, "")
	register(t, env, c)
	c.post("/login", url.Values{"login": {emailNorm}, "password": {"Wrong#Pass1"}})
	checkNoPersonalData(t, logs.String())
}

func checkNoPersonalData(t *testing.T, logs string) {
	t.Helper()
	if !strings.Contains(logs, "request_id=") {
		t.Fatal("nothing was logged")
	}
	for _, pd := range []string{"9161234567", "123-45-67", "ivan.petrov", "Петров", "Иван", goodPass, "Wrong#Pass1"} {
		if strings.Contains(strings.ToLower(logs), strings.ToLower(pd)) {
			t.Errorf("the logs contain personal data %q", pd)
		}
	}
}

// brokenAccounts fails every account read, as a database outage would.
type brokenAccounts struct{ account.Store }

func (brokenAccounts) GetAccount(context.Context, string) (*account.Account, error) {
	return nil, errors.New("database is down")
}

func TestInternalError(t *testing.T) {
	env := apptest.New(t)
	srv, logs := pagesOnly(t, env, brokenAccounts{env.App.DB})
	c := newClient(t, srv.URL, "")
	register(t, env, c)
	res := c.get("/cabinet")
	id := res.header.Get("X-Request-Id")
	checkPage(t, res, http.StatusInternalServerError, "Что-то пошло не так", id)
	if !strings.Contains(logs.String(), "request_id="+id) || !strings.Contains(logs.String(), "database is down") {
		t.Errorf("the error is not logged with its request id %s:\n%s", id, logs.String())
	}
	checkNoPersonalData(t, logs.String())
}
