package adminapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/app/apptest"
)

var tverCenter = map[string]any{
	"id": "mfc-tver", "name": "МФЦ Тверской", "address": "Москва, ул. Тверская, 8", "lat": 55.76, "lon": 37.61,
	"hours": "Пн-Пт 09:00-20:00; Сб 10:00-17:00", "phone": "+7 495 000-00-01", "services": []string{"confirm", "register"},
}

// importCSV posts a CSV body to the import endpoint.
func importCSV(t *testing.T, env *apptest.Env, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/admin/centers/import", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("import answered %d %q", resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func TestCenterLifecycle(t *testing.T) {
	env := apptest.New(t, apptest.WithAdminToken(token))
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/admin/centers"}, {"POST", "/api/v1/admin/centers"}, {"POST", "/api/v1/admin/centers/import"},
		{"GET", "/api/v1/admin/centers/demo-arbat"}, {"PUT", "/api/v1/admin/centers/demo-arbat"},
		{"DELETE", "/api/v1/admin/centers/demo-arbat"},
	} {
		if st, p, _ := call(t, env, r.method, r.path, "wrong", nil); st != 401 || p["code"] != "unauthorized" {
			t.Errorf("%s %s with a wrong token = %d %v, want 401", r.method, r.path, st, p)
		}
	}

	st, c, h := call(t, env, "POST", "/api/v1/admin/centers", token, tverCenter)
	if st != 201 || h.Get("Location") != "/api/v1/admin/centers/mfc-tver" || c["hours"] != "Mon-Fri 09:00-20:00; Sat 10:00-17:00" ||
		c["timezone"] != "Europe/Moscow" || !slices.Equal(stringList(c["services"]), []string{"register", "confirm"}) || c["created_at"] == "" {
		t.Fatalf("create = %d %v (Location %q)", st, c, h.Get("Location"))
	}
	// The public API of the same node sees it at once.
	if st, pub, _ := call(t, env, "GET", "/api/v1/centers/mfc-tver", "", nil); st != 200 || pub["name"] != "МФЦ Тверской" {
		t.Errorf("public GET after create = %d %v", st, pub)
	}
	st, p, _ := call(t, env, "POST", "/api/v1/admin/centers", token, tverCenter)
	if st != 422 || !slices.Equal(fieldCodes(p), []string{"id:taken"}) {
		t.Errorf("create a taken id = %d %v, want 422 id:taken", st, p)
	}

	st, list, _ := call(t, env, "GET", "/api/v1/admin/centers", token, nil)
	var ids []string
	for _, x := range list["centers"].([]any) {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	if st != 200 || len(ids) != 6 || !slices.Contains(ids, "mfc-tver") {
		t.Errorf("list = %d %v, want the 5 demo centers and mfc-tver", st, ids)
	}

	changed := map[string]any{}
	for k, v := range tverCenter {
		changed[k] = v
	}
	delete(changed, "id")
	changed["name"], changed["timezone"], changed["services"] = "МФЦ Тверской (новый)", "Europe/Samara", []string{"recover"}
	st, c, _ = call(t, env, "PUT", "/api/v1/admin/centers/mfc-tver", token, changed)
	if st != 200 || c["name"] != "МФЦ Тверской (новый)" || c["timezone"] != "Europe/Samara" || c["id"] != "mfc-tver" {
		t.Errorf("update = %d %v", st, c)
	}
	if ok, _ := env.App.Centers.Offers(context.Background(), "mfc-tver", "recover"); !ok {
		t.Error("the directory does not see the update")
	}
	changed["id"] = "other"
	if st, p, _ := call(t, env, "PUT", "/api/v1/admin/centers/mfc-tver", token, changed); st != 422 || !slices.Equal(fieldCodes(p), []string{"id:mismatch"}) {
		t.Errorf("update with another id = %d %v", st, p)
	}
	delete(changed, "id")
	if st, p, _ := call(t, env, "PUT", "/api/v1/admin/centers/missing", token, changed); st != 404 || p["code"] != "not_found" {
		t.Errorf("update a missing center = %d %v, want 404", st, p)
	}
	if st, got, _ := call(t, env, "GET", "/api/v1/admin/centers/mfc-tver", token, nil); st != 200 || got["updated_at"] == nil {
		t.Errorf("show = %d %v", st, got)
	}
	if st, p, _ := call(t, env, "DELETE", "/api/v1/admin/centers/mfc-tver", token, nil); st != 204 || p != nil {
		t.Errorf("delete = %d %v", st, p)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if st, p, _ := call(t, env, m, "/api/v1/admin/centers/mfc-tver", token, nil); st != 404 || p["code"] != "not_found" {
			t.Errorf("%s after delete = %d %v, want 404", m, st, p)
		}
	}
	if st, _, _ := call(t, env, "GET", "/api/v1/centers/mfc-tver", "", nil); st != 404 {
		t.Errorf("the public API still shows the deleted center: %d", st)
	}
	if st, p, _ := call(t, env, "GET", "/api/v1/admin/centers/import", token, nil); st != 404 || p["code"] != "not_found" {
		t.Errorf("GET /api/v1/admin/centers/import = %d %v, want 404", st, p)
	}
}

func TestCenterValidation(t *testing.T) {
	env := apptest.New(t, apptest.WithAdminToken(token))
	for _, tc := range []struct {
		name string
		body any
		want []string
	}{
		{"empty", map[string]any{}, []string{"address:required", "hours:required", "lat:required", "lon:required", "name:required", "services:required"}},
		{"bad values", map[string]any{"id": "import", "name": "X", "address": "Y", "lat": 95, "lon": 37, "hours": "Mon-Fry 09:00-18:00",
			"timezone": "Moon/Base", "phone": "call us", "services": []string{"teleport"}},
			[]string{"hours:day_unknown", "id:reserved", "lat:out_of_range", "phone:invalid", "services:unknown", "timezone:unknown"}},
		{"hours", map[string]any{"name": "X", "address": "Y", "lat": 55, "lon": 37, "hours": "Mon 09:00-13:00, 12:00-18:00", "services": []string{"confirm"}},
			[]string{"hours:interval_overlap"}},
		{"wrong type", map[string]any{"name": "X", "lat": "55.7"}, []string{"lat:wrong_type"}},
		{"unknown field", map[string]any{"name": "X", "open": true}, []string{"open:unknown_field"}},
	} {
		st, p, _ := call(t, env, "POST", "/api/v1/admin/centers", token, tc.body)
		got := fieldCodes(p)
		if st != 422 || p["code"] != "validation_failed" || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %d %v %v, want 422 %v", tc.name, st, p["code"], got, tc.want)
		}
	}
}

const centersHeader = "id,name,address,lat,lon,hours,timezone,phone,services\n"

func TestCenterImport(t *testing.T) {
	env := apptest.New(t, apptest.WithAdminToken(token))
	good := centersHeader +
		"c-1,Центр 1,\"Москва, ул. Арбат, 1\",55.75,37.59,Mon-Fri 09:00-18:00,,,confirm|recover\n" +
		"demo-arbat,МФЦ Арбат (обновлён),\"Москва, Новый Арбат, 36\",55.7537,37.5776,Mon-Sat 09:00-21:00,,,register|confirm\n"
	st, res := importCSV(t, env, "text/csv; charset=utf-8", good)
	if st != 200 || res["created"] != 1.0 || res["updated"] != 1.0 {
		t.Fatalf("import = %d %v", st, res)
	}
	if st, c, _ := call(t, env, "GET", "/api/v1/centers/demo-arbat", "", nil); st != 200 || c["hours"] != "Mon-Sat 09:00-21:00" {
		t.Errorf("after import demo-arbat = %d %v", st, c)
	}

	bad := centersHeader +
		"c-2,Центр 2,Москва,55.75,37.59,Mon-Fri 09:00-18:00,,,confirm\n" +
		"c-3,Центр 3,Москва,55.75,37.59,Mnd 09:00-18:00,,,confirm\n" +
		"c-2,Центр 2 ещё раз,Москва,55.75,37.59,Mon 09:00-18:00,,,confirm\n"
	st, p := importCSV(t, env, "text/csv", bad)
	if got := fieldCodes(p); st != 422 || !slices.Equal(got, []string{"rows[3].hours:day_unknown", "rows[4].id:repeated"}) {
		t.Errorf("import of a bad file = %d %v", st, p)
	}
	if st, _, _ := call(t, env, "GET", "/api/v1/centers/c-2", "", nil); st != 404 {
		t.Errorf("a refused import added c-2: %d", st)
	}
	if st, p := importCSV(t, env, "application/json", good); st != 415 || p["code"] != "unsupported_media_type" {
		t.Errorf("import as JSON = %d %v, want 415", st, p)
	}
	big := centersHeader + strings.Repeat("x", 9<<20)
	if st, p := importCSV(t, env, "text/csv", big); st != 413 || p["code"] != "body_too_large" {
		t.Errorf("import of 9 MiB = %d %v, want 413", st, p)
	}
}

func stringList(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
