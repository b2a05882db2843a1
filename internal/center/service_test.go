package center

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/store"
)

// clock is an injected, settable time.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func newService() (*Service, *memStore, *fakeClock) {
	m := newMemStore()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)} // Monday 10:00 in Moscow
	return &Service{Store: m, Tx: m, Now: clk.Now, CacheTTL: time.Minute}, m, clk
}

// Moscow landmarks.
var (
	kremlin  = Point{55.7520, 37.6175}
	vdnkh    = Point{55.8262, 37.6377}
	sheremet = Point{55.9726, 37.4146}
)

func input(id, name, address string, p Point, services ...string) Input {
	return Input{ID: id, Name: name, Address: address, Lat: p.Lat, Lon: p.Lon,
		Hours: "Mon-Fri 09:00-20:00; Sat 10:00-17:00", Phone: "+7 495 000-00-00", Services: services}
}

func fieldCodes(err error) []string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return []string{"not a ValidationError: " + errString(err)}
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field+":"+f.Code)
	}
	slices.Sort(out)
	return out
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestValidation(t *testing.T) {
	s, _, _ := newService()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		in   Input
		want []string
	}{
		{"empty", Input{}, []string{"address:required", "hours:required", "lat:required", "name:required", "services:required"}},
		{"bad values", Input{ID: "-x", Name: "Центр\x01", Address: strings.Repeat("а", 301), Lat: 91, Lon: -181,
			Hours: "Mon 18:00-09:00", TimeZone: "Europe/Nowhere", Phone: "call us", Services: []string{"register", "teleport"}},
			[]string{"address:too_long", "hours:interval_empty", "id:invalid", "lat:out_of_range", "lon:out_of_range",
				"name:invalid_characters", "phone:invalid", "services:unknown", "timezone:unknown"}},
		{"bad hours", Input{Name: "A", Address: "B", Lat: 55, Lon: 37, Hours: "Mnd 09:00-18:00", Services: []string{"confirm"}},
			[]string{"hours:day_unknown"}},
	} {
		_, err := s.Create(ctx, tc.in)
		if got := fieldCodes(err); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Create got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCreateGetUpdateDelete(t *testing.T) {
	s, m, clk := newService()
	ctx := context.Background()
	c, err := s.Create(ctx, input("", "МФЦ Тверской", "Москва, ул. Тверская, 8", kremlin, "confirm", "register", "confirm"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ID) != 36 || !slices.Equal(c.Services, []string{"register", "confirm"}) || !c.CreatedAt.Equal(clk.t) {
		t.Errorf("Create = %+v, want a generated id, services in order without repeats, created now", c)
	}
	if _, err := s.Create(ctx, input(c.ID, "Again", "Addr", kremlin, "confirm")); !slices.Equal(fieldCodes(err), []string{"id:taken"}) {
		t.Errorf("Create with a taken id = %v, want id:taken", err)
	}
	got, err := s.Get(ctx, c.ID)
	if err != nil || got.Name != "МФЦ Тверской" || !got.OpenAt(clk.t) {
		t.Errorf("Get = %+v, %v", got, err)
	}
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want store.ErrNotFound", err)
	}
	for _, tc := range []struct {
		id, service string
		want        bool
	}{{c.ID, "", true}, {c.ID, Confirm, true}, {c.ID, Recover, false}, {"missing", "", false}} {
		if ok, err := s.Offers(ctx, tc.id, tc.service); err != nil || ok != tc.want {
			t.Errorf("Offers(%s, %q) = %v, %v; want %v", tc.id, tc.service, ok, err, tc.want)
		}
	}

	clk.t = clk.t.Add(time.Hour)
	in := InputOf(c)
	in.Services = []string{"recover"}
	in.ID = ""
	up, err := s.Update(ctx, c.ID, in)
	if err != nil || !slices.Equal(up.Services, []string{"recover"}) || !up.CreatedAt.Equal(c.CreatedAt) || !up.UpdatedAt.Equal(clk.t) {
		t.Fatalf("Update = %+v, %v", up, err)
	}
	// The node that changed the center sees the change at once.
	if ok, _ := s.Offers(ctx, c.ID, Recover); !ok {
		t.Error("Offers does not see the update made on this node")
	}
	if ok, err := s.Exists(ctx, c.ID); !ok || err != nil {
		t.Errorf("Exists(%s) = %v, %v", c.ID, ok, err)
	}
	in.ID = "other"
	if _, err := s.Update(ctx, c.ID, in); !slices.Equal(fieldCodes(err), []string{"id:mismatch"}) {
		t.Errorf("Update with another id = %v, want id:mismatch", err)
	}
	if _, err := s.Update(ctx, "missing", InputOf(c)); !errors.Is(err, store.ErrNotFound) && !slices.Equal(fieldCodes(err), []string{"id:mismatch"}) {
		t.Errorf("Update(missing) = %v", err)
	}
	in.ID = ""
	if _, err := s.Update(ctx, "missing", in); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Update(missing) = %v, want store.ErrNotFound", err)
	}
	if err := s.Delete(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete = %v, want store.ErrNotFound", err)
	}
	if err := s.Delete(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Delete twice = %v, want store.ErrNotFound", err)
	}
	_ = m
}

func TestCache(t *testing.T) {
	s, m, clk := newService()
	ctx := context.Background()
	if _, err := s.Create(ctx, input("a", "A", "Addr", kremlin, "confirm")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Search(ctx, Query{}); err != nil {
			t.Fatal(err)
		}
	}
	if m.lists != 1 {
		t.Errorf("3 searches loaded the directory %d times, want 1", m.lists)
	}
	// A change written by another node is seen when the cache expires.
	other := &Service{Store: m, Now: clk.Now}
	if _, err := other.Create(ctx, input("b", "B", "Addr", vdnkh, "confirm")); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Search(ctx, Query{}); len(res) != 1 {
		t.Errorf("the cached search found %d centers, want 1 (the cache is fresh)", len(res))
	}
	if c, err := s.Get(ctx, "b"); err != nil || c.ID != "b" {
		t.Errorf("Get of a center the cache lacks = %v, %v; want it from the store", c, err)
	}
	clk.t = clk.t.Add(time.Minute)
	if res, _ := s.Search(ctx, Query{}); len(res) != 2 {
		t.Errorf("after the cache expired the search found %d centers, want 2", len(res))
	}
}

func TestSearch(t *testing.T) {
	s, _, _ := newService()
	ctx := context.Background()
	for _, in := range []Input{
		input("vdnkh", "МФЦ Останкинский", "Москва, проспект Мира, 119, ВДНХ", vdnkh, "register", "confirm"),
		input("kremlin", "Центр госуслуг Тверской", "Москва, ул. Тверская, 8", kremlin, "register", "confirm", "recover", "delete"),
		input("airport", "Офис в аэропорту Шереметьево", "Химки, аэропорт Шереметьево, терминал B", sheremet, "recover"),
		input("yolka", "Ёлки-Палки центр", "Москва, Солёный переулок, 1", Point{55.75, 37.60}, "delete"),
	} {
		if _, err := s.Create(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(rs []Result) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Center.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    Query
		want []string
	}{
		{"all by name", Query{}, []string{"yolka", "vdnkh", "airport", "kremlin"}},
		{"text, any case, Cyrillic", Query{Text: "ТВЕРСКАЯ"}, []string{"kremlin"}},
		{"every word", Query{Text: "москва мира"}, []string{"vdnkh"}},
		{"punctuation ignored", Query{Text: "Тверская, 8"}, []string{"kremlin"}},
		{"ё as е", Query{Text: "елки соленый"}, []string{"yolka"}},
		{"latin", Query{Text: "b"}, []string{"airport"}},
		{"no match", Query{Text: "Санкт-Петербург"}, nil},
		{"service", Query{Service: Recover}, []string{"airport", "kremlin"}},
		{"near the Kremlin", Query{Near: &kremlin}, []string{"kremlin", "yolka", "vdnkh", "airport"}},
		{"near Sheremetyevo", Query{Near: &sheremet}, []string{"airport", "vdnkh", "yolka", "kremlin"}},
		{"near, with service and limit", Query{Near: &sheremet, Service: Confirm, Limit: 1}, []string{"vdnkh"}},
		{"limit", Query{Limit: 2}, []string{"yolka", "vdnkh"}},
	} {
		res, err := s.Search(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(res); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Search got %v, want %v", tc.name, got, tc.want)
		}
	}
	res, _ := s.Search(ctx, Query{Near: &kremlin, Service: Recover})
	if len(res) != 2 || res[0].DistanceKm > 0.01 || math.Abs(res[1].DistanceKm-27.6) > 0.5 {
		t.Errorf("distances from the Kremlin = %v, %v; want 0 and about 27 km", res[0].DistanceKm, res[1].DistanceKm)
	}
}

func TestDistanceKm(t *testing.T) {
	for _, tc := range []struct {
		a, b Point
		want float64
	}{
		{Point{55.7558, 37.6173}, Point{59.9343, 30.3351}, 634},   // Moscow – Saint Petersburg
		{Point{55.7558, 37.6173}, Point{43.1155, 131.8855}, 6430}, // Moscow – Vladivostok
		{Point{0, 179.5}, Point{0, -179.5}, 111},                  // across the antimeridian
		{kremlin, kremlin, 0},
	} {
		if got := DistanceKm(tc.a, tc.b); math.Abs(got-tc.want) > tc.want*0.01+0.001 {
			t.Errorf("DistanceKm(%v, %v) got %.1f, want about %.0f", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery(" тверская ", "recover", "55,75", "37.6", "5")
	if err != nil || q.Text != "тверская" || q.Service != Recover || q.Near == nil || *q.Near != (Point{55.75, 37.6}) || q.Limit != 5 {
		t.Errorf("ParseQuery = %+v, %v", q, err)
	}
	if q, err := ParseQuery("", "", "", "", ""); err != nil || q.Near != nil || q.Limit != DefaultLimit {
		t.Errorf("ParseQuery of nothing = %+v, %v", q, err)
	}
	for _, tc := range []struct {
		service, lat, lon, limit string
		want                     []string
	}{
		{"", "55.7", "", "", []string{"lon:required"}},
		{"", "", "37.6", "", []string{"lat:required"}},
		{"", "91", "37.6", "", []string{"lat:out_of_range"}},
		{"", "55", "200", "", []string{"lon:out_of_range"}},
		{"", "north", "NaN", "", []string{"lat:invalid", "lon:invalid"}},
		{"", "Inf", "1", "", []string{"lat:invalid"}},
		{"teleport", "", "", "", []string{"service:unknown"}},
		{"", "", "", "0", []string{"limit:out_of_range"}},
		{"", "", "", "101", []string{"limit:out_of_range"}},
		{"", "", "", "ten", []string{"limit:out_of_range"}},
	} {
		_, err := ParseQuery("", tc.service, tc.lat, tc.lon, tc.limit)
		if got := fieldCodes(err); !slices.Equal(got, tc.want) {
			t.Errorf("ParseQuery(%q, %q, %q, %q) got %v, want %v", tc.service, tc.lat, tc.lon, tc.limit, got, tc.want)
		}
	}
	if _, err := ParseQuery(strings.Repeat("я", 101), "", "", "", ""); !slices.Equal(fieldCodes(err), []string{"q:too_long"}) {
		t.Errorf("a long query = %v, want q:too_long", err)
	}
	if _, err := ParseQuery("\xff\xfe", "", "", "", ""); !slices.Equal(fieldCodes(err), []string{"q:invalid_characters"}) {
		t.Errorf("a query that is not UTF-8 = %v, want q:invalid_characters", err)
	}
}
