package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/web"
)

const carePass = "Zebra-Castle-42"

// careCitizen registers an account with a phone through the flow service.
func careCitizen(t testing.TB, env *apptest.Env, phone string) string {
	t.Helper()
	ctx := context.Background()
	f := env.App.Flows
	reg, err := f.StartRegistration(ctx, flow.RegistrationInput{LastName: "Соколова", FirstName: "Анна", Phone: phone}, flow.Meta{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ConfirmContact(ctx, reg.ID, "phone", env.Code(phone), flow.Meta{}); err != nil {
		t.Fatal(err)
	}
	signed, err := f.SetPassword(ctx, reg.ID, carePass, flow.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return signed.Account.ID
}

var (
	powAttrRE  = regexp.MustCompile(`data-pow-challenge="([^"]+)" data-pow-bits="(\d+)"`)
	recoverRE  = regexp.MustCompile(`^/recover/([0-9a-f-]{36})$`)
	sessionsRE = regexp.MustCompile(`name="session_id" value="([^"]+)"`)
)

// solvePage solves the proof of work embedded in a page, as its script would.
func solvePage(t *testing.T, body string) (challenge, nonce string) {
	t.Helper()
	m := powAttrRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page carries no proof of work:\n%s", body)
	}
	bits, _ := strconv.Atoi(m[2])
	s := pow.Solve(pow.Challenge{Value: html.UnescapeString(m[1]), Bits: bits})
	return s.Challenge, s.Nonce
}

// startRecoveryPage fills the recovery form and returns where it sends the browser.
func startRecoveryPage(t *testing.T, c *client, kind, value string) string {
	t.Helper()
	page := c.get("/recover")
	checkPage(t, page, http.StatusOK, "data-pow-challenge", `href="/recover/lost-phone"`)
	ch, nonce := solvePage(t, page.body)
	res := c.post("/recover", url.Values{"kind": {kind}, "value": {value}, "pow_challenge": {ch}, "pow_nonce": {nonce}})
	if res.status != http.StatusSeeOther || !recoverRE.MatchString(res.location()) {
		t.Fatalf("start: %d %s\n%s", res.status, res.location(), res.body)
	}
	return res.location()
}

func TestRecoveryPages(t *testing.T) {
	env := apptest.New(t)
	careCitizen(t, env, "+79161234567")
	c := newClient(t, env.URL, "ru")

	// An unknown identifier leads to the same page, with no code sent.
	unknown := startRecoveryPage(t, c, "phone", "+79169999999")
	known := startRecoveryPage(t, c, "phone", "8 916 123-45-67")
	a, b := c.get(unknown), c.get(known)
	checkPage(t, b, http.StatusOK, "recover-confirm", "code")
	if strings.ReplaceAll(a.body, unknown, "") != strings.ReplaceAll(b.body, known, "") {
		t.Error("the code pages of a known and an unknown identifier differ")
	}
	if res := c.post(unknown+"/confirm", url.Values{"code": {"123456"}}); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(html.UnescapeString(res.body), "Неверный код") && !strings.Contains(res.body, `aria-invalid="true"`) {
		t.Errorf("a code for the unknown identifier: %d", res.status)
	}

	res := c.post(known+"/confirm", url.Values{"code": {env.Code("+79161234567")}})
	if res.status != http.StatusSeeOther || res.location() != known {
		t.Fatalf("confirm: %d %s", res.status, res.location())
	}
	page := c.get(known)
	checkPage(t, page, http.StatusOK, "recover-password-submit", "password-rule-list")
	res = c.post(known+"/password", url.Values{"password": {"weak"}})
	checkPage(t, res, http.StatusUnprocessableEntity, "rule-unmet")
	res = c.post(known+"/password", url.Values{"password": {"Lantern-Orbit-77"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("password: %d %s", res.status, res.body)
	}
	checkPage(t, c.get(known), http.StatusOK, "recover-login")
	checkPage(t, c.get("/recover/lost-phone"), http.StatusOK, "/centers?service=recover")
	checkPage(t, c.get("/recover/01a2043c-dbb0-7541-9435-47accb8e5b85"), http.StatusNotFound, `href="/recover"`)
}

// signInPage signs the client in through the sign-in form.
func signInPage(t *testing.T, c *client, login, password string) {
	t.Helper()
	res := c.post("/login", url.Values{"login": {login}, "password": {password}})
	if res.status != http.StatusSeeOther || res.location() != "/cabinet" {
		t.Fatalf("sign in: %d %s\n%s", res.status, res.location(), res.body)
	}
}

func TestAccountPages(t *testing.T) {
	env := apptest.New(t)
	careCitizen(t, env, "+79161234567")
	c, other := newClient(t, env.URL, "ru"), newClient(t, env.URL, "en")
	signInPage(t, c, "+79161234567", carePass)
	signInPage(t, other, "+79161234567", carePass)

	checkPage(t, c.get("/cabinet"), http.StatusOK, `href="/account"`)
	page := c.get("/account")
	checkPage(t, page, http.StatusOK, "end-others", "notifications-save", "question-save")
	if n := len(sessionsRE.FindAllString(page.body, -1)); n != 3 { // the registration signed in too
		t.Errorf("the account page lists %d sessions, want 3", n)
	}
	checkPage(t, other.get("/account"), http.StatusOK, "Sign out everywhere")

	res := c.post("/account/sessions/end-all", url.Values{})
	if res.status != http.StatusSeeOther || other.get("/account").location() != "/login" {
		t.Errorf("sign out elsewhere: %d; the other browser is still signed in", res.status)
	}

	res = c.post("/account/notifications", url.Values{"sign_in_sms": {"1"}, "password_email": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Errorf("notifications: %d", res.status)
	}
	if page := c.get("/account?done=notifications"); !strings.Contains(page.body, `id="n-sign_in-sms" type="checkbox" name="sign_in_sms" value="1" checked`) {
		t.Error("the SMS sign-in notice is not ticked after saving")
	}

	res = c.post("/account/secret-question", url.Values{"question": {"Любимая книга?"}, "answer": {"Мастер и Маргарита"},
		"current_password": {"wrong-password-1A!"}})
	checkPage(t, res, http.StatusUnprocessableEntity, `id="current_password-error"`)
	res = c.post("/account/secret-question", url.Values{"question": {"Любимая книга?"}, "answer": {"Мастер и Маргарита"},
		"current_password": {carePass}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("secret question: %d %s", res.status, res.body)
	}
	checkPage(t, c.get("/account"), http.StatusOK, "Любимая книга?", "question-remove")

	checkPage(t, c.get("/account/password"), http.StatusOK, "old_password", "password-rule-list")
	res = c.post("/account/password", url.Values{"old_password": {carePass}, "password": {"Harbor-Violet-93"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change password: %d %s", res.status, res.body)
	}

	checkPage(t, c.get("/account/contact"), http.StatusOK, "contact-start")
	res = c.post("/account/contact", url.Values{"kind": {"email"}, "value": {"anna@example.ru"}, "current_password": {"Harbor-Violet-93"}})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location(), "/account/contact/") {
		t.Fatalf("start contact change: %d %s", res.status, res.body)
	}
	checkPage(t, c.get(res.location()), http.StatusOK, "a***@example.ru")
	res = c.post(res.location(), url.Values{"code": {env.Code("anna@example.ru")}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("confirm contact: %d %s", res.status, res.body)
	}

	events := c.get("/account/events")
	checkPage(t, events, http.StatusOK, "Пароль изменён", "Контакт изменён", "log-csv")
	checkPage(t, c.get("/account/events?kind=password"), http.StatusOK, "Пароль изменён")
	csv := c.get("/account/events.csv?kind=sign_in")
	if csv.status != 200 || !strings.HasPrefix(csv.body, "time,category,action,actor,ip,details\n") ||
		!strings.Contains(csv.body, "login.succeeded") || strings.Contains(csv.body, "password.changed") {
		t.Errorf("CSV export: %d %q", csv.status, csv.body)
	}

	checkPage(t, c.get("/account/delete"), http.StatusOK, "delete-submit")
	checkPage(t, c.post("/account/delete", url.Values{"current_password": {"nope-Nope-1"}}), http.StatusUnprocessableEntity, "current_password-error")
	res = c.post("/account/delete", url.Values{"current_password": {"Harbor-Violet-93"}})
	checkPage(t, res, http.StatusOK, "account-deleted")
	if c.get("/account").location() != "/login" {
		t.Error("still signed in after deleting")
	}
	if res := c.post("/login", url.Values{"login": {"+79161234567"}, "password": {"Harbor-Violet-93"}}); res.status == http.StatusSeeOther {
		t.Error("a deleted account signs in")
	}
}

// servePages serves h over env's services, wrapped as the composition root wraps the pages.
func servePages(t *testing.T, env *apptest.Env, h *web.Handler) string {
	t.Helper()
	h.Flows, h.Sessions, h.Accounts, h.Dev = env.App.Flows, env.App.Sessions, env.App.DB, true
	mux := http.NewServeMux()
	h.Mount(mux)
	srv := httptest.NewServer(httpx.SecurityHeaders(false, mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestCabinetLinksOnlyToServedPages: the cabinet and the letter page link to the letter
// page, the directory of centers, the security page and account care only when the pages
// serve them, and the advice on confirming one's identity offers a letter only with letters.
func TestCabinetLinksOnlyToServedPages(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	makeStandard(t, env)
	links := map[string]string{`href="/account/letter"`: "/account/letter", `href="/centers?service=confirm"`: "/centers",
		`href="/cabinet/security"`: "/cabinet/security", `href="/account"`: "/account"}
	const letter = "by a code sent by letter"
	page := c.get("/cabinet")
	checkPage(t, page, http.StatusOK, letter)
	for link := range links {
		checkPage(t, page, http.StatusOK, link)
	}

	bare := newClient(t, servePages(t, env, &web.Handler{}), "en")
	bare.hc.Jar = c.hc.Jar // the same session: cookies do not tell ports apart
	page = bare.get("/cabinet")
	checkPage(t, page, http.StatusOK, "confirm your identity: at a service center, by e-signature, or through a bank")
	for link, path := range links {
		if strings.Contains(page.body, link) {
			t.Errorf("the cabinet without %s links to it", path)
		}
		checkPage(t, bare.get(path), http.StatusNotFound)
	}
	if strings.Contains(page.body, letter) {
		t.Error("the cabinet without letters advises a letter")
	}

	letters := newClient(t, servePages(t, env, &web.Handler{Letters: env.App.Letters}), "en")
	letters.hc.Jar = c.hc.Jar
	checkPage(t, letters.get("/cabinet"), http.StatusOK, `href="/account/letter"`, letter)
	page = letters.get("/account/letter")
	checkPage(t, page, http.StatusOK, "Some sites do not accept this method")
	if strings.Contains(page.body, `href="/centers"`) {
		t.Error("the letter page links to a directory of centers that is off")
	}
	checkPage(t, c.get("/account/letter"), http.StatusOK, `href="/centers"`)

	care := newClient(t, servePages(t, env, &web.Handler{Recovery: env.App.Recovery}), "en")
	if page = care.get("/recover/lost-phone"); page.status != http.StatusOK || strings.Contains(page.body, `href="/centers`) {
		t.Errorf("the lost-phone page without the directory of centers: %d, links to it: %t", page.status,
			strings.Contains(page.body, `href="/centers`))
	}
	checkPage(t, c.get("/recover/lost-phone"), http.StatusOK, `href="/centers?service=recover"`)
}
