package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/civis-id/civis/internal/app/apptest"
)

// TestBrowserCenters drives /centers in headless Chromium: the list with its badges, a text
// search, a service filter, and "near me" with the browser's (emulated) location.
func TestBrowserCenters(t *testing.T) {
	findBrowser(t)
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	env := apptest.New(t)
	env.App.Centers.Now = func() time.Time { return centersSunday }
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := newBrowser(t, ctx)
	cons := b.watchConsole()

	listed := func() []string {
		return strings.Fields(run(b, "read the list", chromedp.Evaluate[string](
			`Array.from(document.querySelectorAll("#centers-list li.center")).map(li => li.id.replace("center-", "")).join(" ")`)))
	}
	badge := func(id string) string {
		return strings.TrimSpace(run(b, "read the badge of "+id, chromedp.Text(chromedp.CSS("#center-"+id+" .badge"), chromedp.NodeVisible)))
	}

	b.do("open the directory", chromedp.Navigate(env.URL+"/centers"), chromedp.WaitVisible(chromedp.ID("centers-list")))
	if lang := run(b, "read lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ru" {
		b.do("switch to Russian", chromedp.Click(chromedp.CSS(`.lang-switch button`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="ru"] #centers-list`)))
	}
	if got := strings.Join(listed(), " "); got != "demo-arbat demo-tverskaya demo-post-lubyanka demo-vdnkh demo-vnukovo" {
		t.Errorf("the directory lists %s", got)
	}
	if got := badge("demo-tverskaya"); got != "Открыто сейчас" {
		t.Errorf("demo-tverskaya badge %q, want open", got)
	}
	if got := badge("demo-arbat"); got != "Закрыто сейчас" {
		t.Errorf("demo-arbat badge %q, want closed", got)
	}
	if open := run(b, "read the open badges", chromedp.Evaluate[int](`document.querySelectorAll("#centers-list [data-open=true]").length`)); open != 2 {
		t.Errorf("%d centers are open on Sunday noon, want 2", open)
	}

	b.do("search by text",
		chromedp.SendKeys(chromedp.ID("centers-q"), "тверская"),
		chromedp.Click(chromedp.ID("centers-search")),
		b.waitURL("/centers?q="),
		chromedp.WaitVisible(chromedp.CSS(`#centers-list #center-demo-tverskaya`)),
	)
	if got := strings.Join(listed(), " "); got != "demo-tverskaya" {
		t.Errorf("searching тверская lists %s", got)
	}
	if addr := b.text("centers-count"); !strings.Contains(addr, "Найден 1 центр") {
		t.Errorf("count %q", addr)
	}

	b.do("filter by service",
		chromedp.Clear(chromedp.ID("centers-q")),
		chromedp.SetValue(chromedp.ID("centers-service"), "recover"),
		chromedp.Click(chromedp.ID("centers-search")),
		b.waitURL("service=recover"),
		chromedp.WaitVisible(chromedp.CSS(`#centers-list #center-demo-vnukovo`)),
	)
	if got := strings.Join(listed(), " "); got != "demo-tverskaya demo-vdnkh demo-vnukovo" {
		t.Errorf("the recover filter lists %s", got)
	}
	if sel := run(b, "read the service", chromedp.Evaluate[string](`document.getElementById("centers-service").value`)); sel != "recover" {
		t.Errorf("the service select shows %q after the search", sel)
	}
	if got := badge("demo-vnukovo"); got != "Открыто сейчас" {
		t.Errorf("demo-vnukovo badge %q, want open (around the clock)", got)
	}

	// "Near me": the browser shares an emulated position at Vnukovo airport.
	lat, lon, acc := 55.6051, 37.2860, 50.0
	if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: env.URL}); err != nil {
		t.Fatalf("grant geolocation: %v", err)
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{
		Latitude: &lat, Longitude: &lon, Accuracy: &acc}); err != nil {
		t.Fatalf("emulate the position: %v", err)
	}
	b.do("search near me",
		chromedp.SetValue(chromedp.ID("centers-service"), ""),
		chromedp.Click(chromedp.ID("centers-near"), chromedp.NodeVisible),
		b.waitURL("lat="),
		chromedp.WaitVisible(chromedp.CSS(`#center-demo-vnukovo .center-distance`)),
	)
	if got := listed(); len(got) != 5 || got[0] != "demo-vnukovo" {
		t.Errorf("near Vnukovo the page lists %v, want demo-vnukovo first", got)
	}
	if d := strings.TrimSpace(run(b, "read the distance", chromedp.Text(chromedp.CSS(`#center-demo-vnukovo .center-distance`)))); d != "10 м" && d != "0 м" {
		t.Errorf("distance to demo-vnukovo %q, want about 10 m", d)
	}
	if u := run(b, "read the URL", chromedp.Evaluate[string](`location.search`)); !strings.Contains(u, "lat=55.6051") || !strings.Contains(u, "lon=37.2860") {
		t.Errorf("the near-me search sent %q", u)
	}
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("the pages logged errors (CSP violations among them):\n%s", strings.Join(errs, "\n"))
	}
}
