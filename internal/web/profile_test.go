package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/config"
)

// The profile forms of the dev simulator's sample person 1 (docs/registries.md), typed the way
// a citizen types them.
func ivanovPersonal() url.Values {
	return url.Values{"section": {"personal"}, "last_name": {"Иванов"}, "first_name": {"Иван"},
		"middle_name": {"Иванович"}, "gender": {"M"}, "birth_date": {"14.03.1985"}, "birth_place": {"г. Москва"},
		"citizenship": {"RUS"}}
}

func snilsForm(snils string) url.Values { return url.Values{"section": {"snils"}, "value": {snils}} }

func ivanovPassport() url.Values {
	return url.Values{"section": {"id_doc"}, "type": {"RF_PASSPORT"}, "series": {"45 09"}, "number": {"123456"},
		"issue_date": {"02.04.2005"}, "issuer": {"ОВД Тверского района г. Москвы"}, "department_code": {"770001"},
		// the foreign passport's fields, sent by a browser without JavaScript, are not the answer
		"country": {""}, "expiry_date": {""}}
}

// saveSection posts one section of the profile and expects to be sent back to it.
func saveSection(t *testing.T, c *client, form url.Values) {
	t.Helper()
	s := form.Get("section")
	checkRedirect(t, "save "+s, c.post("/profile", form), "/profile?saved="+s+"#section-"+s)
}

// submitProfile submits the profile for verification.
func submitProfile(t *testing.T, c *client) {
	t.Helper()
	checkRedirect(t, "submit", c.post("/profile/submit", nil), "/profile?submitted=1#verification")
}

// itemState returns the state shown for a checked item's section.
func itemState(t *testing.T, body, item string) string {
	t.Helper()
	m := regexp.MustCompile(`id="section-` + item + `-state">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no state for %s", item)
	}
	return m[1]
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// checkText checks that the text of the page, without its tags, holds every want.
func checkText(t *testing.T, body string, want ...string) {
	t.Helper()
	text := strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(body, ""))), " ")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("page text lacks %q", w)
		}
	}
}

var levelRE = regexp.MustCompile(`id="account-level">([^<]*)<`)

func cabinetLevel(t *testing.T, c *client) string {
	t.Helper()
	m := levelRE.FindStringSubmatch(c.get("/cabinet").body)
	if m == nil {
		t.Fatal("no level in the cabinet")
	}
	return m[1]
}

// TestProfileVerification fills in the sample person's data through the pages, submits them,
// sees them read-only while checked, runs the checks and finds the account standard, told by
// message, and able to sign in with its SNILS.
func TestProfileVerification(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			c := newClient(t, env.URL, "")
			register(t, env, c)
			res := c.get("/profile")
			checkPage(t, res, http.StatusOK, "Личные данные и документы", `value="Петров"`, `src="/static/profile.js?v=`)
			if got := itemState(t, res.body, "snils"); got != "не заполнено" {
				t.Errorf("SNILS state %q, want не заполнено", got)
			}
			checkPage(t, c.get("/cabinet"), http.StatusOK, `href="/profile"`, "указать СНИЛС", "указать паспорт")

			saveSection(t, c, ivanovPersonal())
			saveSection(t, c, snilsForm("112 233 445 95"))
			saveSection(t, c, ivanovPassport())
			res = c.get("/profile?saved=id_doc")
			checkPage(t, res, http.StatusOK, "Сохранено: Документ, удостоверяющий личность.", `value="112-233-445 95"`,
				`value="14.03.1985"`, `value="770-001"`, `id="profile-submit"`)
			if got := itemState(t, res.body, "id_doc"); got != "не отправлено на проверку" {
				t.Errorf("passport state %q, want a draft", got)
			}
			if strings.Contains(c.get("/cabinet").body, "указать СНИЛС") {
				t.Error("the cabinet still asks for the SNILS that the profile holds")
			}

			submitProfile(t, c)
			checkChecking(t, c)

			env.Deliver() // the registries answer
			if got := cabinetLevel(t, c); got != "Стандартная" {
				t.Errorf("level after the checks %q, want Стандартная", got)
			}
			checkPage(t, c.get("/cabinet"), http.StatusOK, "Иванов Иван Иванович", "Данные подтверждены государственными реестрами.")
			for _, to := range []string{phoneE164, emailNorm} {
				if msgs := env.Messages(to); len(msgs) == 0 || !strings.Contains(msgs[0].Body, "стандартн") {
					t.Errorf("newest message to %s = %+v, want the verification notice", to, msgs)
				}
			}
			res = c.get("/profile")
			checkPage(t, res, http.StatusOK, "Со СНИЛС можно входить", `value="770123456703"`, `id="profile-level">Стандартная<`)
			for _, item := range []string{"personal", "snils", "id_doc", "inn"} {
				if got := itemState(t, res.body, item); got != "подтверждено" {
					t.Errorf("%s state %q, want подтверждено", item, got)
				}
			}
			if strings.Contains(res.body, `id="profile-submit"`) {
				t.Error("nothing is left to check, yet the page offers to submit")
			}
			checkSNILSLogin(t, env)
		})
	}
}

// checkChecking checks the pages while the registries check the data: the state of each
// check, read-only fields, and a refusal to change them.
func checkChecking(t *testing.T, c *client) {
	t.Helper()
	res := c.get("/profile?submitted=1")
	checkPage(t, res, http.StatusOK, "Данные отправлены на проверку.", "Данные проверяются в государственных реестрах.",
		`id="profile-refresh"`, `data-state="checking"`)
	checkText(t, res.body, "Пенсионный фонд — СНИЛС: проверяется", "МВД — документ, удостоверяющий личность: проверяется",
		"Налоговая служба — ИНН: проверяется")
	for _, id := range []string{"snils", "personal-last_name", "id_doc-series", "inn"} {
		if !regexp.MustCompile(`<input id="` + id + `"[^>]*\sreadonly`).MatchString(res.body) {
			t.Errorf("input %s is not read-only while checked", id)
		}
	}
	if strings.Contains(res.body, `id="section-snils-save"`) || !strings.Contains(res.body, `id="section-vehicles-save"`) {
		t.Error("while checking, the checked items must have no save button and the others must")
	}
	if got := itemState(t, res.body, "snils"); got != "проверяется" {
		t.Errorf("SNILS state %q, want проверяется", got)
	}
	checkPage(t, c.get("/cabinet"), http.StatusOK, "Данные проверяются в государственных реестрах.",
		"Пенсионный фонд — СНИЛС: проверяется")

	res = c.post("/profile", snilsForm("987-654-321 83"))
	checkPage(t, res, http.StatusConflict, "изменить их можно будет только после окончания проверки", `value="987-654-321 83"`)
	checkInvalid(t, res.body, "snils")
	res = c.post("/profile/submit", nil)
	checkPage(t, res, http.StatusConflict, "Данные уже проверяются. Дождитесь результата.")
	// What no registry checks can change meanwhile.
	saveSection(t, c, url.Values{"section": {"medical_policy"}, "number": {"1234 5678 9012 3456"}})
}

// checkSNILSLogin signs in on the sign-in page with the verified SNILS, written with and
// without separators.
func checkSNILSLogin(t *testing.T, env *apptest.Env) {
	t.Helper()
	for _, login := range []string{"112-233-445 95", "11223344595"} {
		c := newClient(t, env.URL, "")
		res := c.post("/login", url.Values{"login": {login}, "password": {goodPass}})
		checkRedirect(t, "sign in with SNILS "+login, res, "/cabinet")
		checkPage(t, c.get("/cabinet"), http.StatusOK, "Иванов Иван Иванович", "Стандартная")
	}
}

// TestProfileChangeVerified changes verified data: the verified version stays in force beside
// the change until the change passes its own check.
func TestProfileChangeVerified(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	register(t, env, c)
	for _, f := range []url.Values{ivanovPersonal(), snilsForm("112-233-445 95"), ivanovPassport()} {
		saveSection(t, c, f)
	}
	submitProfile(t, c)
	env.Deliver()

	moved := ivanovPersonal()
	moved.Set("birth_place", "г. Санкт-Петербург")
	saveSection(t, c, moved)
	res := c.get("/profile")
	checkPage(t, res, http.StatusOK, `id="section-personal-versions"`, "г. Москва", "г. Санкт-Петербург",
		"Пока новые данные не пройдут проверку, в силе остаются подтверждённые.", `id="section-personal-clear"`)
	if got := itemState(t, res.body, "personal"); got != "не отправлено на проверку" {
		t.Errorf("changed personal data %q, want a draft", got)
	}
	submitProfile(t, c)
	checkPage(t, c.get("/profile"), http.StatusOK, `id="section-personal-versions"`, "г. Москва")
	env.Deliver()
	res = c.get("/profile")
	if strings.Contains(res.body, `id="section-personal-versions"`) || !strings.Contains(res.body, `value="г. Санкт-Петербург"`) {
		t.Error("the checked change did not replace the verified version")
	}
	if got := cabinetLevel(t, c); got != "Стандартная" {
		t.Errorf("level %q, want Стандартная", got)
	}
}

// TestProfileCheckFails submits a SNILS of another person, sees which check failed and why in
// plain words, corrects it and passes.
func TestProfileCheckFails(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	register(t, env, c)
	saveSection(t, c, ivanovPersonal())
	saveSection(t, c, snilsForm("123-456-789 64")) // Петрова's
	saveSection(t, c, ivanovPassport())
	submitProfile(t, c)
	env.Deliver()

	const why = "В пенсионном фонде нет записи об этом СНИЛС с такими ФИО и датой рождения: не совпадают фамилия, имя или отчество."
	res := c.get("/profile")
	checkPage(t, res, http.StatusOK, "Проверка не пройдена. Исправьте данные и отправьте их снова.", why,
		`id="section-snils-failure"`, `id="profile-submit"`)
	checkText(t, res.body, "Пенсионный фонд — СНИЛС: не подтверждено — "+why)
	if got := itemState(t, res.body, "snils"); got != "не прошло проверку" {
		t.Errorf("SNILS state %q, want не прошло проверку", got)
	}
	if regexp.MustCompile(`<input id="snils"[^>]*\sreadonly`).MatchString(res.body) {
		t.Error("a failed SNILS is read-only")
	}
	checkPage(t, c.get("/cabinet"), http.StatusOK, "Проверка не пройдена. Исправьте данные и отправьте их снова.", why)
	if got := cabinetLevel(t, c); got != "Упрощённая" {
		t.Errorf("level after a failed check %q", got)
	}
	if msgs := env.Messages(phoneE164); len(msgs) == 0 || !strings.Contains(msgs[0].Body, "не прошли проверку") {
		t.Errorf("newest SMS %+v, want the failure notice", msgs)
	}

	en := newClient(t, env.URL, "en")
	checkRedirect(t, "sign in", en.post("/login", url.Values{"login": {phoneE164}, "password": {goodPass}}), "/cabinet")
	checkPage(t, en.get("/profile"), http.StatusOK, `<html lang="en">`,
		"The pension fund has no record of this SNILS with this name and birth date", "check failed")

	saveSection(t, c, snilsForm("11223344595"))
	submitProfile(t, c)
	env.Deliver()
	if got := cabinetLevel(t, c); got != "Стандартная" {
		t.Errorf("level after the corrected SNILS passed %q, want Стандартная", got)
	}
}

// TestProfileFieldErrors posts invalid sections: the page comes back with 422, each error tied
// to its input in the server's words, and the values as typed.
func TestProfileFieldErrors(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "")
	register(t, env, c)
	personal := ivanovPersonal()
	personal.Set("gender", "")
	personal.Set("birth_date", "31.02.1985")
	personal.Set("last_name", "Иванов2")
	passport := ivanovPassport()
	passport.Set("series", "450")
	passport.Set("department_code", "77-01")
	passport.Set("issue_date", "01.01.1995")
	for _, tc := range []struct {
		name string
		form url.Values
		ids  []string
		want []string
	}{
		{"SNILS check digits", snilsForm("112-233-445 96"), []string{"snils"},
			[]string{"не сходятся контрольные цифры", `value="112-233-445 96"`}},
		{"INN check digits", url.Values{"section": {"inn"}, "value": {"500100732258"}}, []string{"inn"},
			[]string{"В ИНН ошибка"}},
		{"personal data", personal, []string{"personal-birth_date", "personal-last_name"},
			[]string{"Введите дату в виде ДД.ММ.ГГГГ", "Используйте буквы, пробелы", `id="personal-gender-error"`,
				"Дата рождения: Введите дату"}},
		{"passport", passport, []string{"id_doc-series", "id_doc-department_code", "id_doc-issue_date"},
			[]string{"Серия паспорта — 4 цифры.", "Код подразделения — 6 цифр", "выдаётся с 8 июля 1997 года"}},
		{"vehicle", url.Values{"section": {"vehicles"}, "plate": {"А123ВС77", "", "XYZ"},
			"reg_cert_series": {"7701", "", "7702"}, "reg_cert_number": {"654321", "", "1"}},
			[]string{"vehicles-1-plate", "vehicles-1-reg_cert_number"},
			[]string{"Это не российский государственный номер", "Транспортное средство 2, Государственный номер"}},
		{"foreign passport", url.Values{"section": {"id_doc"}, "type": {"FRGN_PASS"}, "series": {"4509"},
			"number": {"12"}, "country": {"RUS"}, "issue_date": {"01.01.2015"}, "expiry_date": {"01.01.2016"}},
			[]string{"id_doc-number", "id_doc-country", "id_doc-expiry_date"},
			[]string{"от 4 до 20 латинских букв", "кроме RUS", "Срок действия документа истёк."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.post("/profile", tc.form)
			checkPage(t, res, http.StatusUnprocessableEntity, append(tc.want, "Исправьте ошибки")...)
			checkInvalid(t, res.body, tc.ids...)
		})
	}
	// Submitting without the passport names what is missing.
	saveSection(t, c, snilsForm("112-233-445 95"))
	res := c.post("/profile/submit", nil)
	checkPage(t, res, http.StatusUnprocessableEntity, "Заполните личные данные", "Укажите документ, удостоверяющий личность.",
		`href="#section-personal"`, `id="section-id_doc-error"`)
}

// TestProfileDocuments keeps the documents and addresses no registry checks.
func TestProfileDocuments(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	saveSection(t, c, url.Values{"section": {"vehicles"}, "plate": {"a123bc77", ""},
		"reg_cert_series": {"77 УА", ""}, "reg_cert_number": {"654321", ""}})
	saveSection(t, c, url.Values{"section": {"drivers_licence"}, "series": {"77 АВ"}, "number": {"123456"},
		"issue_date": {"01.02.2020"}, "expiry_date": {"01.02.2030"}})
	saveSection(t, c, url.Values{"section": {"registration_address"}, "country": {"RUS"}, "zip_code": {"101000"},
		"region": {"Москва"}, "city": {"Москва"}, "street": {"Тверская"}, "house": {"1"}, "flat": {"2"}})
	res := c.get("/profile")
	checkPage(t, res, http.StatusOK, `value="А123ВС77"`, `value="77УА"`, `value="01.02.2030"`, `value="101000"`,
		`id="vehicles-1-plate"`, `id="section-drivers_licence-clear"`)
	checkRedirect(t, "delete the licence", c.post("/profile", url.Values{"section": {"drivers_licence"}, "action": {"clear"}}),
		"/profile?saved=drivers_licence#section-drivers_licence")
	if strings.Contains(c.get("/profile").body, `value="01.02.2030"`) {
		t.Error("the deleted licence is still shown")
	}
	if res := c.post("/profile", url.Values{"section": {"passport"}}); res.status != http.StatusBadRequest {
		t.Errorf("unknown section: %d, want 400", res.status)
	}
	checkRedirect(t, "profile without a session", newClient(t, env.URL, "").get("/profile"), "/login")
}

// TestProfileSNILSTaken refuses a SNILS verified on another account, explaining how to recover
// that account and revealing nothing about it.
func TestProfileSNILSTaken(t *testing.T) {
	env := apptest.New(t)
	owner := newClient(t, env.URL, "")
	register(t, env, owner)
	for _, f := range []url.Values{ivanovPersonal(), snilsForm("112-233-445 95"), ivanovPassport()} {
		saveSection(t, owner, f)
	}
	submitProfile(t, owner)
	env.Deliver()

	other := newClient(t, env.URL, "")
	registerOther(t, env, other, "+7 903 555-01-02", "+79035550102")
	for _, f := range []url.Values{ivanovPersonal(), snilsForm("112-233-445 95"), ivanovPassport()} {
		saveSection(t, other, f)
	}
	res := other.post("/profile/submit", nil)
	checkPage(t, res, http.StatusConflict, "Этот СНИЛС уже подтверждён в другой учётной записи Civis",
		`href="/recover"`, `href="/recover/lost-phone"`, "центр обслуживания")
	for _, leak := range []string{"916", "Петров", "example.ru"} {
		if strings.Contains(res.body, leak) {
			t.Errorf("the refusal reveals %q of the other account", leak)
		}
	}
	if msgs := env.Messages(phoneE164); len(msgs) == 0 || !strings.Contains(msgs[0].Body, "СНИЛС") {
		t.Errorf("the owner was not warned: %+v", msgs)
	}
}

// registerOther registers a second citizen with one phone through the pages.
func registerOther(t *testing.T, env *apptest.Env, c *client, phone, e164 string) {
	t.Helper()
	flowPath := startRegistration(t, c, url.Values{"last_name": {"Сидоров"}, "first_name": {"Олег"}, "phone": {phone}})
	res := c.post(flowPath+"/confirm", url.Values{"channel": {"phone"}, "code": {env.Code(e164)}})
	checkRedirect(t, "confirm phone", res, flowPath+"/password")
	checkRedirect(t, "set password", c.post(flowPath+"/password", url.Values{"password": {goodPass}}), "/cabinet")
}

// TestProfileRegistryTimeout fails a check whose registry does not answer by the deadline.
func TestProfileRegistryTimeout(t *testing.T) {
	env := apptest.New(t, func(c *config.Config) {
		c.RegistryDeadline = time.Second
		c.SimulatorOutages = "00:00-24:00" // the registries are down
	})
	c := newClient(t, env.URL, "")
	register(t, env, c)
	for _, f := range []url.Values{ivanovPersonal(), snilsForm("112-233-445 95"), ivanovPassport()} {
		saveSection(t, c, f)
	}
	submitProfile(t, c)
	env.Deliver()
	time.Sleep(1100 * time.Millisecond)
	env.Deliver()
	checkPage(t, c.get("/profile"), http.StatusOK, "ответ не получен в установленный срок", "Проверка не пройдена.")
}
