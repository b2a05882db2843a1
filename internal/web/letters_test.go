package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/proofing"
)

// makeStandard brings the registered test account to the standard level the way a citizen
// does: personal data, SNILS and passport (with a registration address) submitted and checked
// by the registry simulator.
func makeStandard(t *testing.T, env *apptest.Env) *account.Account {
	t.Helper()
	ctx := context.Background()
	acc, err := env.App.DB.FindByContact(ctx, account.Phone, phoneE164)
	if err != nil {
		t.Fatal(err)
	}
	snils := "987-654-321 83" // unknown to the simulator's file: verified as well-formed
	patch := proofing.Patch{
		Personal: &proofing.Personal{LastName: "Петров", FirstName: "Иван", MiddleName: "Сергеевич", Gender: "M",
			BirthDate: "1985-03-14", BirthPlace: "г. Москва", Citizenship: "RUS"},
		SNILS: &snils,
		IDDoc: &proofing.IDDocument{Type: proofing.RFPassport, Series: "4510", Number: "765432", IssueDate: "2005-04-02",
			Issuer: "ОВД Тверского района г. Москвы", DepartmentCode: "770-001"},
		RegistrationAddress: &proofing.Address{ZipCode: "101000", Region: "г. Москва", City: "Москва",
			Street: "ул. Тверская", House: "1", Flat: "5"},
	}
	if _, err := env.App.Proofing.Update(ctx, acc.ID, patch, proofing.Meta{}); err != nil {
		t.Fatalf("profile: %v", err)
	}
	if _, err := env.App.Proofing.Submit(ctx, acc.ID, proofing.Meta{}); err != nil {
		t.Fatalf("submit: %v", err)
	}
	env.Deliver()
	if acc, _ = env.App.DB.GetAccount(ctx, acc.ID); acc.Level != account.Standard {
		t.Fatalf("level %s after the checks, want standard", acc.Level)
	}
	return acc
}

// runBatch runs `civis letters batch` in-process into dir and returns the batch CSV's rows.
func runBatch(t *testing.T, env *apptest.Env, dir string) [][]string {
	t.Helper()
	var files *letters.Files
	_, err := env.App.Letters.Batch(context.Background(), letters.BatchOptions{}, func(b *letters.Batch) error {
		var err error
		files, err = letters.WriteFiles(dir, b, env.URL)
		return err
	})
	if err != nil || files == nil {
		t.Fatalf("batch: %v (files %v)", err, files)
	}
	return readCSV(t, files.CSV)
}

// TestLetterPages: the cabinet links a standard account to the letter page, which orders a
// letter with the prefilled address, shows its state, and takes the code.
func TestLetterPages(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "en")
	register(t, env, c)
	checkPage(t, c.get("/account/letter"), http.StatusOK, "Only a standard account can order a letter.",
		"Some sites do not accept this method")
	if strings.Contains(c.get("/cabinet").body, `href="/account/letter"`) {
		t.Error("the cabinet of a simplified account links to the letter")
	}
	makeStandard(t, env)
	checkPage(t, c.get("/cabinet"), http.StatusOK, `href="/account/letter"`, "Some sites do not accept this method; a service center visit does.")
	checkPage(t, c.get("/account/letter"), http.StatusOK, `id="letter-order"`, `name="postcode" type="text" value="101000"`,
		`value="ул. Тверская"`, `autocomplete="postal-code"`)

	res := c.post("/account/letter", url.Values{"postcode": {"1010"}, "region": {""}, "city": {"Москва"},
		"street": {"Тверская"}, "house": {"1"}})
	checkPage(t, res, http.StatusUnprocessableEntity, "A postcode is 6 digits.", `value="Тверская"`)
	checkInvalid(t, res.body, "postcode", "region")

	res = c.post("/account/letter", url.Values{"postcode": {"101000"}, "region": {"г. Москва"}, "city": {"Москва"},
		"street": {"ул. Тверская"}, "house": {"1"}, "flat": {"5"}})
	checkRedirect(t, "order", res, "/account/letter?ordered=1")
	page := c.get(res.location())
	checkPage(t, page, http.StatusOK, "The letter is ordered.", `data-state="ordered"`, "A new letter can be ordered from")
	if strings.Contains(page.body, `id="letter-confirm"`) {
		t.Error("the code form shows before the letter is sent")
	}
	rows := runBatch(t, env, t.TempDir())
	if len(rows) != 2 || rows[0][0] != "letter_id" || rows[1][7] != "Петров Иван Сергеевич" {
		t.Fatalf("batch rows %v", rows)
	}
	checkPage(t, c.get("/account/letter"), http.StatusOK, `data-state="sent"`, `id="letter-confirm"`, "Code valid until")
	res = c.post("/account/letter/confirm", url.Values{"code": {"UUUUU-UUUUU"}})
	checkPage(t, res, http.StatusUnprocessableEntity, "It never contains the letter U.")
	checkInvalid(t, res.body, "code")
	res = c.post("/account/letter/confirm", url.Values{"code": {"00000-0000"}})
	checkPage(t, res, http.StatusUnprocessableEntity, `aria-invalid="true"`)
	checkRedirect(t, "confirm", c.post("/account/letter/confirm", url.Values{"code": {rows[1][8]}}), "/cabinet")
	checkPage(t, c.get("/cabinet"), http.StatusOK, `id="account-level">Confirmed<`)
	checkPage(t, c.get("/account/letter"), http.StatusOK, "Your identity is confirmed: by a code in a registered letter.",
		`data-state="used"`)
}

// TestLetterBrowser: in Chromium, a standard account orders a letter from the cabinet; the
// batch runs in-process; the code from the batch file, typed in lower case with a dash,
// confirms the account.
func TestLetterBrowser(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	browserAccount(t, env, env.URL)
	makeStandard(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()

	signInWithPassword(b, env.URL, emailInput, chromedp.ID("account-level"))
	b.do("open the letter page", chromedp.Click(chromedp.ID("letter-link")), chromedp.WaitVisible(chromedp.ID("letter-order")))
	if got := run(b, "read the prefilled postcode", chromedp.Value(chromedp.ID("postcode"))); got != "101000" {
		t.Errorf("postcode %q, want the registration address's 101000", got)
	}
	b.do("order the letter", chromedp.Click(chromedp.ID("letter-order")), chromedp.WaitVisible(chromedp.ID("letter-state")))
	if got := run(b, "read the state", chromedp.AttributeValue(chromedp.ID("letter-state"), "data-state")).Value; got != "ordered" {
		t.Errorf("state %q after ordering, want ordered", got)
	}
	rows := runBatch(t, env, t.TempDir())
	code := rows[1][8]
	typed := strings.ToLower(code)
	if !strings.Contains(typed, "-") {
		t.Fatalf("code %q has no dash", code)
	}
	b.do("reload the letter page", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("code")))
	b.do("type the code", chromedp.SendKeys(chromedp.ID("code"), typed), chromedp.Click(chromedp.ID("letter-confirm")),
		chromedp.WaitVisible(chromedp.ID("account-level")))
	if got := b.text("account-level"); got != "Подтверждённая" && got != "Confirmed" {
		t.Errorf("cabinet level %q, want confirmed", got)
	}
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors:\n%s", strings.Join(errs, "\n"))
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
