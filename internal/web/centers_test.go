package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
)

// centersSunday is Sunday 2026-03-08 12:00 in Moscow: of the demo centers only
// demo-tverskaya (weekends 10-18) and demo-vnukovo (around the clock) are open.
var centersSunday = time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)

var centerIDRE = regexp.MustCompile(`<li class="card center" id="center-([^"]+)"`)

// listedCenters returns the ids of the centers a page lists, in order.
func listedCenters(body string) []string {
	var out []string
	for _, m := range centerIDRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// centerCard returns the list item of one center.
func centerCard(t *testing.T, body, id string) string {
	t.Helper()
	start := strings.Index(body, `id="center-`+id+`"`)
	if start < 0 {
		t.Fatalf("center %s is not listed", id)
	}
	end := strings.Index(body[start:], "</li>")
	return body[start : start+end]
}

func TestCentersPage(t *testing.T) {
	env := apptest.New(t)
	env.App.Centers.Now = func() time.Time { return centersSunday }
	c := newClient(t, env.URL, "ru")

	res := c.get("/centers")
	checkPage(t, res, http.StatusOK, "Центры обслуживания", "Найдено 5 центров.", `src="/static/centers.js?v=`, `<option value="" selected>Любая</option>`)
	if got := strings.Join(listedCenters(res.body), " "); got != "demo-arbat demo-tverskaya demo-post-lubyanka demo-vdnkh demo-vnukovo" {
		t.Errorf("/centers lists %s, want every demo center by name", got)
	}
	arbat := centerCard(t, res.body, "demo-arbat")
	for _, want := range []string{"Закрыто сейчас", "Пн–Пт 09:00–13:00, 14:00–20:00", "Москва, ул. Новый Арбат, 36",
		`href="tel:&#43;74957777702"`, "регистрация, подтверждение личности"} {
		if !strings.Contains(arbat, want) {
			t.Errorf("the Arbat card lacks %q:\n%s", want, arbat)
		}
	}
	if tver := centerCard(t, res.body, "demo-tverskaya"); !strings.Contains(tver, "Открыто сейчас") || !strings.Contains(tver, "Сб,Вс 10:00–18:00") {
		t.Errorf("the Tverskaya card:\n%s", tver)
	}
	if strings.Contains(res.body, "center-distance") {
		t.Error("distances are shown without a point")
	}

	// The recovery page's link preselects the filter.
	res = c.get("/centers?service=recover")
	checkPage(t, res, http.StatusOK, `<option value="recover" selected>`, "Найдено 3 центра.")
	if got := strings.Join(listedCenters(res.body), " "); got != "demo-tverskaya demo-vdnkh demo-vnukovo" {
		t.Errorf("?service=recover lists %s", got)
	}
	if lost := c.get("/recover/lost-phone"); !strings.Contains(lost.body, `href="/centers?service=recover"`) {
		t.Error("the lost-phone page does not link to /centers?service=recover")
	}

	res = c.get("/centers?q=" + "%D0%B0%D1%80%D0%B1%D0%B0%D1%82") // арбат
	if got := strings.Join(listedCenters(res.body), " "); got != "demo-arbat" || !strings.Contains(res.body, `value="арбат"`) {
		t.Errorf("?q=арбат lists %s", got)
	}
	res = c.get("/centers?q=Марс")
	checkPage(t, res, http.StatusOK, "Центров по такому запросу нет")

	// Near a point, without JavaScript: lat and lon in the query.
	res = c.get("/centers?lat=55.6050&lon=37.2861")
	checkPage(t, res, http.StatusOK, "Ближайшие — первыми.")
	if got := listedCenters(res.body); len(got) != 5 || got[0] != "demo-vnukovo" || got[4] != "demo-vdnkh" {
		t.Errorf("near Vnukovo lists %v", got)
	}
	if card := centerCard(t, res.body, "demo-vnukovo"); !strings.Contains(card, `<span class="center-distance">0 м</span>`) {
		t.Errorf("the Vnukovo card has no distance of 0 m:\n%s", card)
	}
	if card := centerCard(t, res.body, "demo-arbat"); !regexp.MustCompile(`center-distance">2\d,\d км<`).MatchString(card) {
		t.Errorf("the Arbat card has no distance of 2x,x km:\n%s", card)
	}
	if !strings.Contains(res.body, `<details class="centers-point" open>`) {
		t.Error("the point fields are folded although the query has a point")
	}
}

func TestCentersPageErrors(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "ru")
	res := c.get("/centers?lat=95&lon=37.6&service=teleport")
	checkPage(t, res, http.StatusUnprocessableEntity, "Широта — число от -90 до 90.", "Выберите услугу из списка.", `value="95"`)
	checkInvalid(t, res.body, "centers-lat")
	if got := listedCenters(res.body); len(got) != 5 {
		t.Errorf("with a bad point the page lists %v, want every center by name", got)
	}
	res = c.get("/centers?lat=55.7")
	checkPage(t, res, http.StatusUnprocessableEntity, "Укажите и широту, и долготу.")
	checkInvalid(t, res.body, "centers-lon")
}

func TestCentersPageEnglish(t *testing.T) {
	env := apptest.New(t)
	env.App.Centers.Now = func() time.Time { return centersSunday }
	c := newClient(t, env.URL, "en")
	res := c.get("/centers?service=confirm&lat=55.752&lon=37.6175")
	checkPage(t, res, http.StatusOK, `<html lang="en">`, "Service centers", "4 centers found.", "Nearest first.",
		`<option value="confirm" selected>identity confirmation</option>`)
	card := centerCard(t, res.body, "demo-tverskaya")
	for _, want := range []string{"Open now", "Mon–Fri 08:00–20:00; Sat,Sun 10:00–18:00", "1.1 km"} {
		if !strings.Contains(card, want) {
			t.Errorf("the English Tverskaya card lacks %q:\n%s", want, card)
		}
	}
}

// TestCabinetLinksToCenters: the cabinet of a standard account, whose next level needs the
// identity confirmed, links to the centers that confirm it.
func TestCabinetLinksToCenters(t *testing.T) {
	env := apptest.New(t)
	c := newClient(t, env.URL, "ru")
	register(t, env, c)
	if strings.Contains(c.get("/cabinet").body, "/centers?service=confirm") {
		t.Error("a simplified account's cabinet links to centers that confirm identity")
	}
	ctx := context.Background()
	acc, err := env.App.DB.FindByContact(ctx, account.Email, emailNorm)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.DB.SetLevel(ctx, acc.ID, account.Standard, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	res := c.get("/cabinet")
	checkPage(t, res, http.StatusOK, `<a href="/centers?service=confirm" id="centers-confirm-link">`)
	if res := c.get("/centers?service=confirm"); !strings.Contains(res.body, `<option value="confirm" selected>`) {
		t.Error("the link does not preselect the confirm filter")
	}
}
