package api_test

import (
	"math"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/app/apptest"
)

// centerIDs returns the ids of a center list answer, in order.
func centerIDs(t *testing.T, body map[string]any) []string {
	t.Helper()
	list, ok := body["centers"].([]any)
	if !ok {
		t.Fatalf("no centers array in %v", body)
	}
	ids := []string{}
	for _, c := range list {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	return ids
}

// sunday is Sunday 2026-03-08 12:00 in Moscow: of the demo centers, only demo-tverskaya
// (weekends 10-18) and demo-vnukovo (around the clock) are open.
var sunday = time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)

func TestCentersSearch(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) {
			env := apptest.New(t, apptest.WithDB(engine))
			env.App.Centers.Now = func() time.Time { return sunday }

			for _, tc := range []struct {
				query string
				want  []string
			}{
				{"", []string{"demo-arbat", "demo-tverskaya", "demo-post-lubyanka", "demo-vdnkh", "demo-vnukovo"}},
				{"q=" + url.QueryEscape("ТВЕРСКАЯ"), []string{"demo-tverskaya"}},
				{"q=" + url.QueryEscape("москва мира"), []string{"demo-vdnkh"}},
				{"service=recover", []string{"demo-tverskaya", "demo-vdnkh", "demo-vnukovo"}},
				{"service=confirm&q=" + url.QueryEscape("арбат"), []string{"demo-arbat"}},
				{"service=delete&limit=1", []string{"demo-tverskaya"}},
				{"q=" + url.QueryEscape("Санкт-Петербург"), []string{}},
				// Near Vnukovo airport, then near the Kremlin.
				{"lat=55.6&lon=37.29", []string{"demo-vnukovo", "demo-arbat", "demo-tverskaya", "demo-post-lubyanka", "demo-vdnkh"}},
				{"lat=55.7520&lon=37.6175&service=confirm", []string{"demo-tverskaya", "demo-post-lubyanka", "demo-arbat", "demo-vdnkh"}},
			} {
				st, body, h := call(t, env, "GET", "/api/v1/centers?"+tc.query, nil, "")
				if st != 200 || h.Get("Content-Type") != "application/json" {
					t.Fatalf("GET /api/v1/centers?%s = %d %v", tc.query, st, body)
				}
				if got := centerIDs(t, body); !slices.Equal(got, tc.want) {
					t.Errorf("GET /api/v1/centers?%s got %v, want %v", tc.query, got, tc.want)
				}
			}

			_, body, _ := call(t, env, "GET", "/api/v1/centers?lat=55.6050&lon=37.2861", nil, "")
			first := body["centers"].([]any)[0].(map[string]any)
			last := body["centers"].([]any)[4].(map[string]any)
			if first["distance_km"] != 0.0 || math.Abs(last["distance_km"].(float64)-33) > 2 {
				t.Errorf("distances from Vnukovo: first %v, last %v; want 0 and about 33 km", first["distance_km"], last["distance_km"])
			}
			_, body, _ = call(t, env, "GET", "/api/v1/centers", nil, "")
			open := map[string]bool{}
			for _, c := range body["centers"].([]any) {
				m := c.(map[string]any)
				if _, has := m["distance_km"]; has {
					t.Errorf("%s has distance_km without a point", m["id"])
				}
				open[m["id"].(string)] = m["open_now"].(bool)
			}
			want := map[string]bool{"demo-tverskaya": true, "demo-vnukovo": true, "demo-arbat": false, "demo-vdnkh": false, "demo-post-lubyanka": false}
			for id, o := range want {
				if open[id] != o {
					t.Errorf("on Sunday noon %s open_now = %v, want %v", id, open[id], o)
				}
			}
		})
	}
}

func TestCenterGet(t *testing.T) {
	env := apptest.New(t)
	env.App.Centers.Now = func() time.Time { return sunday }
	st, c, _ := call(t, env, "GET", "/api/v1/centers/demo-arbat", nil, "")
	if st != 200 || c["name"] != "МФЦ района Арбат" || c["hours"] != "Mon-Fri 09:00-13:00, 14:00-20:00" ||
		c["timezone"] != "Europe/Moscow" || c["open_now"] != false || c["phone"] != "+7 (495) 777-77-02" ||
		c["lat"] != 55.7537 || !slices.Equal(stringsOf(c["services"]), []string{"register", "confirm"}) {
		t.Errorf("GET /api/v1/centers/demo-arbat = %d %v", st, c)
	}
	if _, has := c["distance_km"]; has {
		t.Error("a single center has distance_km")
	}
	st, p, _ := call(t, env, "GET", "/api/v1/centers/no-such-center", nil, "")
	if st != 404 || p["code"] != "not_found" {
		t.Errorf("GET an unknown center = %d %v, want 404 not_found", st, p)
	}
}

func stringsOf(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestCentersBadQuery(t *testing.T) {
	env := apptest.New(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"lat=55.7", []string{"lon:required"}},
		{"lon=37.6", []string{"lat:required"}},
		{"lat=91&lon=37.6", []string{"lat:out_of_range"}},
		{"lat=55&lon=-181", []string{"lon:out_of_range"}},
		{"lat=north&lon=east", []string{"lat:invalid", "lon:invalid"}},
		{"service=teleport", []string{"service:unknown"}},
		{"limit=0", []string{"limit:out_of_range"}},
		{"limit=1000", []string{"limit:out_of_range"}},
		{"service=teleport&lat=1", []string{"service:unknown", "lon:required"}},
		{"lat=NaN&lon=Infinity", []string{"lat:invalid", "lon:invalid"}},
	} {
		st, p, h := call(t, env, "GET", "/api/v1/centers?"+tc.query, nil, "")
		if got := fieldCodes(p); st != 422 || p["code"] != "validation_failed" || !slices.Equal(got, tc.want) ||
			h.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET /api/v1/centers?%s = %d %v %v, want 422 validation_failed %v", tc.query, st, p["code"], got, tc.want)
		}
	}
}
