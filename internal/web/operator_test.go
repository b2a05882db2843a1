package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/staff"
)

// Demo centers of --dev that the tests put staff in.
const (
	centerA     = "demo-tverskaya"
	centerAName = "МФЦ района Тверской"
	centerB     = "demo-arbat"
	staffSecret = "JBSWY3DPEHPK3PXPJBSWY3DP"
)

var (
	requestIDRE  = regexp.MustCompile(`name="request_id" value="([^"]+)"`)
	loginIDInRE  = regexp.MustCompile(`name="login_id" value="([^"]+)"`)
	outcomeAccRE = regexp.MustCompile(`id="outcome-account">([^<]+)<`)
)

// staffer is a staff member driving the workstation through a client without JavaScript.
type staffer struct {
	id, phone string
	c         *client
}

// newStaffer registers an account with phone, makes it staff of center in role and, when
// totp is true, gives it an authenticator app with staffSecret.
func newStaffer(t *testing.T, env *apptest.Env, phone, center string, role staff.Role, totp bool) *staffer {
	t.Helper()
	ctx := context.Background()
	s := &staffer{id: careCitizen(t, env, phone), phone: phone, c: newClient(t, env.URL, "ru")}
	if _, err := env.App.Staff.Assign(ctx, nil, s.id, center, role); err != nil {
		t.Fatal(err)
	}
	if totp {
		addTOTP(t, env, s.id)
	}
	return s
}

func addTOTP(t *testing.T, env *apptest.Env, accountID string) {
	t.Helper()
	now := time.Now().UTC()
	if err := env.App.DB.SaveTOTP(context.Background(), &mfa.TOTPKey{AccountID: accountID, Secret: staffSecret,
		CreatedAt: now, ConfirmedAt: now}); err != nil {
		t.Fatal(err)
	}
}

// signInTOTP signs the staff member in with the password and a code from the app, one time
// step after the last one used.
func (s *staffer) signInTOTP(t *testing.T, clk *clock) {
	t.Helper()
	res := s.c.post("/login", url.Values{"login": {s.phone}, "password": {carePass}, "public": {"1"}})
	step, _, _ := strings.Cut(res.location(), "?")
	if !loginIDRE.MatchString(step) {
		t.Fatalf("sign in: %d to %q, want the second step", res.status, res.location())
	}
	clk.t = clk.t.Add(30 * time.Second)
	res = s.c.post(step, url.Values{"method": {"totp"}, "code": {totpCode(t, staffSecret, clk.t)}, "public": {"1"}})
	checkRedirect(t, "second factor", res, "/cabinet")
}

// search posts the search form and returns the result page.
func (s *staffer) search(t *testing.T, kind, value, reason string) response {
	t.Helper()
	return s.c.post("/operator/search", url.Values{"kind": {kind}, "value": {value}, "reason": {reason}})
}

func formRequestID(t *testing.T, body string) string {
	t.Helper()
	m := requestIDRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the form has no request_id:\n%s", body)
	}
	return m[1]
}

// TestOperatorGate: who gets into the workstation, and how a staff member without the
// authenticator app, or signed in without it, is led on.
func TestOperatorGate(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)

	anon := newClient(t, env.URL, "ru")
	checkRedirect(t, "anonymous", anon.get("/operator"), "/login")

	citizen := newClient(t, env.URL, "ru")
	careCitizen(t, env, "+79161110001")
	signInPage(t, citizen, "+79161110001", carePass)
	checkPage(t, citizen.get("/operator"), http.StatusNotFound, "Страница не найдена")
	checkPage(t, citizen.post("/operator/search", url.Values{"kind": {"phone"}, "value": {"+79161110001"},
		"reason": {"x"}}), http.StatusNotFound)
	checkPage(t, citizen.get("/operator/staff"), http.StatusNotFound)

	noApp := newStaffer(t, env, "+79161110002", centerA, staff.Operator, false)
	signInPage(t, noApp.c, noApp.phone, carePass)
	page := noApp.c.get("/operator")
	checkPage(t, page, http.StatusForbidden, "приложения-аутентификатора", `href="/cabinet/security"`)
	if strings.Contains(page.body, "search-form") {
		t.Error("a staff member without an authenticator app sees the search form")
	}

	// Signed in with the password only (the app was added afterwards): sign in again with it.
	pwOnly := newStaffer(t, env, "+79161110003", centerA, staff.Operator, false)
	signInPage(t, pwOnly.c, pwOnly.phone, carePass)
	addTOTP(t, env, pwOnly.id)
	checkRedirect(t, "password-only session", pwOnly.c.get("/operator"), "/operator/step-up")
	checkRedirect(t, "password-only search", pwOnly.c.post("/operator/search", url.Values{"kind": {"phone"}}), "/operator/step-up")
	checkPage(t, pwOnly.c.get("/operator/step-up"), http.StatusOK, `id="step-up-form"`)
	res := pwOnly.c.post("/operator/step-up", url.Values{"password": {"wrong-Password-1"}})
	checkPage(t, res, http.StatusUnauthorized)
	res = pwOnly.c.post("/operator/step-up", url.Values{"password": {carePass}})
	checkPage(t, res, http.StatusOK, `id="step-up-code-form"`)
	loginID := loginIDInRE.FindStringSubmatch(res.body)[1]
	res = pwOnly.c.post("/operator/step-up/code", url.Values{"login_id": {loginID}, "code": {"000000"}})
	checkPage(t, res, http.StatusUnprocessableEntity, `id="step-up-code-form"`)
	clk.t = clk.t.Add(30 * time.Second)
	res = pwOnly.c.post("/operator/step-up/code", url.Values{"login_id": {loginID}, "code": {totpCode(t, staffSecret, clk.t)}})
	checkRedirect(t, "step-up", res, "/operator")
	checkPage(t, pwOnly.c.get("/operator"), http.StatusOK, `id="search-form"`, centerAName)

	// Signed in with the app from the start.
	op := newStaffer(t, env, "+79161110004", centerA, staff.Operator, true)
	op.signInTOTP(t, clk)
	checkPage(t, op.c.get("/cabinet"), http.StatusOK, `href="/operator"`)
	if strings.Contains(citizen.get("/cabinet").body, `href="/operator"`) {
		t.Error("a citizen's cabinet links to the workstation")
	}
	page = op.c.get("/operator")
	checkPage(t, page, http.StatusOK, `id="search-form"`, centerAName)
	if strings.Contains(page.body, `href="/operator/staff"`) {
		t.Error("an operator is offered the staff page")
	}
	checkPage(t, op.c.get("/operator/staff"), http.StatusNotFound)

	// A search needs a reason and a well-formed identifier; then it is audited for the citizen.
	res = op.search(t, "snils", "112-233-445 96", "")
	checkPage(t, res, http.StatusUnprocessableEntity)
	checkInvalid(t, res.body, "op-value", "op-reason")
	res = op.search(t, "phone", "8 916 111-00-01", "проверка обращения")
	checkPage(t, res, http.StatusOK, "Учётная запись найдена", "Упрощённая", "Соколова")
	events := citizen.get("/account/events")
	checkPage(t, events, http.StatusOK, "Сотрудник центра «"+centerAName+"» искал вашу учётную запись (причина: проверка обращения)")
}

// TestOperatorStaffPages: a center_admin manages the operators of their center and of no
// other.
func TestOperatorStaffPages(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) { testStaffPages(t, apptest.New(t, apptest.WithDB(engine))) })
	}
}

func testStaffPages(t *testing.T, env *apptest.Env) {
	clk := withClock(env)
	admin := newStaffer(t, env, "+79162220001", centerA, staff.CenterAdmin, true)
	other := newStaffer(t, env, "+79162220002", centerB, staff.Operator, false)
	careCitizen(t, env, "+79162220003")
	admin.signInTOTP(t, clk)

	checkPage(t, admin.c.get("/operator"), http.StatusOK, `href="/operator/staff"`)
	page := admin.c.get("/operator/staff")
	checkPage(t, page, http.StatusOK, "Соколова Анна", "администратор центра")
	before := strings.Count(page.body, `class="staff-row"`)
	res := admin.c.post("/operator/staff/add", url.Values{"login": {"+7 916 222-00-03"}})
	checkRedirect(t, "add an operator", res, "/operator/staff?done=added")
	page = admin.c.get(res.location())
	checkPage(t, page, http.StatusOK, "Оператор добавлен", "оператор")
	if n := strings.Count(page.body, `class="staff-row"`); n != before+1 {
		t.Errorf("the staff page lists %d members, want %d", n, before+1)
	}

	// Center B's operator is not center A's business: neither adding nor removing them. Nor
	// is whether a login has an account: an unknown login, center B's operator and a
	// center_admin (the admin themselves) get the same answer.
	refused := func(login string) string {
		res := admin.c.post("/operator/staff/add", url.Values{"login": {login}})
		checkPage(t, res, http.StatusUnprocessableEntity, "добавить сотрудника нельзя")
		checkInvalid(t, res.body, "op-login")
		return strings.ReplaceAll(html.UnescapeString(res.body), login, "LOGIN")
	}
	unknown := refused("+7 916 222-00-09")
	for _, login := range []string{other.phone, admin.phone} {
		if diff := cmp.Diff(unknown, refused(login)); diff != "" {
			t.Errorf("adding %s is answered unlike an unknown login (-unknown +got):\n%s", login, diff)
		}
	}
	res = admin.c.post("/operator/staff/remove", url.Values{"account_id": {other.id}})
	checkPage(t, res, http.StatusForbidden, "только его центр")
	if m, err := env.App.Staff.Get(context.Background(), other.id); err != nil || m.CenterID != centerB {
		t.Errorf("center B's operator after center A's attempts: %+v, %v", m, err)
	}
	if m, err := env.App.Staff.Get(context.Background(), admin.id); err != nil || m.Role != staff.CenterAdmin {
		t.Errorf("the center_admin after adding themselves: %+v, %v", m, err)
	}

	added, err := env.App.StaffDesk.FindLogin(context.Background(), "+79162220003")
	if err != nil {
		t.Fatal(err)
	}
	res = admin.c.post("/operator/staff/remove", url.Values{"account_id": {added.ID}})
	checkRedirect(t, "remove an operator", res, "/operator/staff?done=removed")
	if _, err := env.App.Staff.Get(context.Background(), added.ID); err != staff.ErrNotStaff {
		t.Errorf("the removed operator is still staff: %v", err)
	}
}

// ivanovForm is a citizen to register at the workstation.
func ivanovForm(requestID string) url.Values {
	return url.Values{"request_id": {requestID}, "last_name": {"Иванов"}, "first_name": {"Иван"},
		"middle_name": {"Иванович"}, "phone": {"+7 916 333-00-01"}, "gender": {"male"},
		"birth_date": {"14.03.1985"}, "birth_place": {"г. Москва"}, "citizenship": {"RUS"},
		"snils": {"112-233-445 95"}, "passport_series": {"4509"}, "passport_number": {"123456"},
		"passport_issue_date": {"02.04.2005"}, "passport_issuer": {"ОВД Тверского района г. Москвы"},
		"passport_department_code": {"770-001"}, "activation": {"password"}, "reason": {"регистрация"}}
}

// TestOperatorRegisterOnce: the same register form sent twice registers one citizen; the
// second answer is the first one's.
func TestOperatorRegisterOnce(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			clk := withClock(env)
			op := newStaffer(t, env, "+79163330009", centerA, staff.Operator, true)
			op.signInTOTP(t, clk)

			form := op.c.get("/operator/register")
			checkPage(t, form, http.StatusOK, `id="register-form"`)
			id := formRequestID(t, form.body)
			bad := ivanovForm(id)
			bad.Set("snils", "112-233-445 96")
			res := op.c.post("/operator/register", bad)
			checkPage(t, res, http.StatusUnprocessableEntity)
			checkInvalid(t, res.body, "op-snils")
			if next := formRequestID(t, res.body); next == id {
				t.Error("a refused form keeps its request id")
			}

			id = formRequestID(t, res.body)
			first := op.c.post("/operator/register", ivanovForm(id))
			checkPage(t, first, http.StatusOK, "Гражданин зарегистрирован", "Подтверждённая")
			second := op.c.post("/operator/register", ivanovForm(id))
			checkPage(t, second, http.StatusOK, "Гражданин зарегистрирован", `id="outcome-replayed"`)
			a, b := outcomeAccRE.FindStringSubmatch(first.body), outcomeAccRE.FindStringSubmatch(second.body)
			if a == nil || b == nil || a[1] != b[1] {
				t.Fatalf("the two answers name accounts %v and %v, want one", a, b)
			}
			sent := 0
			for _, m := range env.Messages("+79163330001") {
				if strings.Contains(m.Body, "Временный пароль") {
					sent++
				}
			}
			if sent != 1 {
				t.Errorf("the citizen got %d temporary passwords, want 1", sent)
			}
			again := ivanovForm(formRequestID(t, op.c.get("/operator/register").body))
			checkPage(t, op.c.post("/operator/register", again), http.StatusConflict,
				"Действие не выполнено", "Личность уже подтверждена")
			env.Deliver()
			res = op.search(t, "snils", "11223344595", "проверка")
			checkPage(t, res, http.StatusOK, "Учётная запись найдена", "Подтверждённая", html.EscapeString(a[1]))
		})
	}
}

var activationRE = regexp.MustCompile(`https?://[^/\s]+(/activate/[A-Za-z0-9_-]+)`)

// TestOperatorActivation: a citizen registered with an activation link chooses a password on
// the activation page (with the password rules of registration), signs in with it, and sees
// in the event log where the account was registered.
func TestOperatorActivation(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)
	op := newStaffer(t, env, "+79165550009", centerA, staff.Operator, true)
	op.signInTOTP(t, clk)
	form := ivanovForm(formRequestID(t, op.c.get("/operator/register").body))
	form.Set("activation", "link")
	checkPage(t, op.c.post("/operator/register", form), http.StatusOK, "Гражданин зарегистрирован")

	var m []string
	for _, msg := range env.Messages("+79163330001") {
		if m == nil {
			m = activationRE.FindStringSubmatch(msg.Body)
		}
	}
	if m == nil {
		t.Fatal("no activation link sent to the citizen")
	}
	citizen := newClient(t, env.URL, "ru")
	checkPage(t, citizen.get(m[1]), http.StatusOK, `id="password-rule-list"`, `id="password-generate"`)
	res := citizen.post(m[1], url.Values{"password": {"short"}})
	checkPage(t, res, http.StatusUnprocessableEntity, `class="rule-unmet"`)
	checkInvalid(t, res.body, "password")
	res = citizen.post(m[1], url.Values{"password": {goodPass}})
	checkPage(t, res, http.StatusOK, "Пароль сохранён", `id="login"`)
	checkPage(t, citizen.post(m[1], url.Values{"password": {goodPass}}), http.StatusGone, "Ссылка недействительна")
	checkPage(t, citizen.get("/activate/not-a-token"), http.StatusOK)
	checkPage(t, citizen.post("/activate/not-a-token", url.Values{"password": {goodPass}}), http.StatusGone)

	signInPage(t, citizen, "+79163330001", goodPass)
	checkPage(t, citizen.get("/account/events"), http.StatusOK,
		"Учётная запись зарегистрирована в центре «"+centerAName+"» "+time.Now().Format("02.01.2006"))
	checkPage(t, op.c.get("/account/events"), http.StatusOK, "Вы зарегистрировали гражданина в центре «"+centerAName+"»")
}

// TestTemporaryPasswordAtSignIn: a citizen registered at a center signs in with the temporary
// password from the SMS, is asked for a new one on the same page, and then signs in with it.
func TestTemporaryPasswordAtSignIn(t *testing.T) {
	env := apptest.New(t)
	clk := withClock(env)
	op := newStaffer(t, env, "+79165550019", centerA, staff.Operator, true)
	op.signInTOTP(t, clk)
	checkPage(t, op.c.post("/operator/register", ivanovForm(formRequestID(t, op.c.get("/operator/register").body))),
		http.StatusOK, "Гражданин зарегистрирован")
	temp := ""
	for _, m := range env.Messages("+79163330001") {
		if p := tempPasswordRE.FindStringSubmatch(m.Body); p != nil {
			temp = p[1]
		}
	}
	if temp == "" {
		t.Fatal("no temporary password sent to the citizen")
	}
	citizen := newClient(t, env.URL, "ru")
	res := citizen.post("/login", url.Values{"login": {"+79163330001"}, "password": {temp}})
	checkPage(t, res, http.StatusForbidden, `id="new_password"`, "временный пароль")
	res = citizen.post("/login", url.Values{"login": {"+79163330001"}, "password": {temp}, "new_password": {temp}})
	checkPage(t, res, http.StatusUnprocessableEntity, `id="new_password-error"`)
	res = citizen.post("/login", url.Values{"login": {"+79163330001"}, "password": {temp}, "new_password": {goodPass}})
	checkRedirect(t, "replace the temporary password", res, "/cabinet")
	other := newClient(t, env.URL, "ru")
	if res := other.post("/login", url.Values{"login": {"+79163330001"}, "password": {temp}}); res.status == http.StatusSeeOther {
		t.Error("the temporary password still signs in")
	}
	checkRedirect(t, "sign in with the new password", other.post("/login",
		url.Values{"login": {"+79163330001"}, "password": {goodPass}}), "/cabinet")
}

var tempPasswordRE = regexp.MustCompile(`Временный пароль: (\S+) —`)
