package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCentersCommands(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := civis(t, dir, "centers", "list"); code != 1 || !strings.Contains(stderr, "civis migrate") {
		t.Errorf("centers list before migrate = %d %q, want exit 1 naming civis migrate", code, stderr)
	}
	if _, stderr, code := civis(t, dir, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}

	out, stderr, code := civis(t, dir, "centers", "add", "--id", "mfc-tver", "--name", "МФЦ Тверской",
		"--address", "Москва, ул. Тверская, 8", "--lat", "55.76", "--lon", "37.61",
		"--hours", "Mon-Fri 09:00-20:00; Sat 10:00-17:00", "--phone", "+7 495 000-00-01", "--services", "register,confirm")
	if code != 0 || out != "center_id: mfc-tver\n" {
		t.Fatalf("centers add = %d %q %q", code, out, stderr)
	}
	_, stderr, code = civis(t, dir, "centers", "add", "--name", "Плохой", "--address", "Москва",
		"--hours", "Mon 18:00-09:00", "--services", "register,teleport")
	for _, want := range []string{"--hours: \"Mon 18:00-09:00\": 18:00-09:00 must end after it starts", "(interval_empty)",
		"--services: unknown service \"teleport\"", "--lat: a latitude in degrees is required (required)"} {
		if code != 1 || !strings.Contains(stderr, want) {
			t.Errorf("centers add with bad input = %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	if _, stderr, code = civis(t, dir, "centers", "add", "--id", "mfc-tver", "--name", "Again", "--address", "A",
		"--lat", "55", "--lon", "37", "--hours", "Mon 09:00-10:00", "--services", "confirm"); code != 1 || !strings.Contains(stderr, "--id: a center with this id already exists (taken)") {
		t.Errorf("centers add with a taken id = %d %q", code, stderr)
	}

	csvFile := filepath.Join(dir, "centers.csv")
	csv := "id,name,address,lat,lon,hours,timezone,phone,services\n" +
		"vl-1,Центр во Владивостоке,\"Владивосток, Светланская, 1\",43.1155,131.8855,\"Mon-Fri 09:00-13:00, 14:00-18:00\",Asia/Vladivostok,,confirm|recover\n" +
		"mfc-tver,МФЦ Тверской,\"Москва, ул. Тверская, 8\",55.76,37.61,Mon-Sat 09:00-21:00,,,register|confirm|delete\n"
	if err := os.WriteFile(csvFile, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = civis(t, dir, "centers", "import", csvFile)
	if code != 0 || !strings.Contains(out, "1 created, 1 updated") {
		t.Errorf("centers import = %d %q %q", code, out, stderr)
	}
	bad := filepath.Join(dir, "bad.csv")
	_ = os.WriteFile(bad, []byte(strings.Replace(csv, "Mon-Sat 09:00-21:00", "Mnd 09:00-21:00", 1)+"x,,A,1,1,Mon 09:00-10:00,,,confirm\n"), 0o600)
	_, stderr, code = civis(t, dir, "centers", "import", bad)
	if code != 1 || !strings.Contains(stderr, "nothing changed") || !strings.Contains(stderr, "row 3: hours: ") ||
		!strings.Contains(stderr, "row 4: name: this field is required") {
		t.Errorf("centers import of a bad file = %d %q", code, stderr)
	}

	out, _, code = civis(t, dir, "centers", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^mfc-tver +МФЦ Тверской +register,confirm,delete +Mon-Sat 09:00-21:00$`).MatchString(out) ||
		!strings.Contains(out, "vl-1") || strings.Index(out, "mfc-tver") > strings.Index(out, "vl-1") {
		t.Errorf("centers list = %d\n%s", code, out)
	}
	out, _, code = civis(t, dir, "centers", "list", "--csv")
	if code != 0 || !strings.HasPrefix(out, "id,name,address,lat,lon,hours,timezone,phone,services\n") ||
		!strings.Contains(out, `vl-1,Центр во Владивостоке,"Владивосток, Светланская, 1",43.1155,131.8855,"Mon-Fri 09:00-13:00, 14:00-18:00",Asia/Vladivostok,,confirm|recover`) {
		t.Errorf("centers list --csv = %d\n%s", code, out)
	}

	out, _, code = civis(t, dir, "centers", "show", "vl-1")
	for _, want := range []string{"Центр во Владивостоке", "Mon-Fri 09:00-13:00, 14:00-18:00", "Asia/Vladivostok", "confirm recover"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("centers show lacks %q:\n%s", want, out)
		}
	}
	out, _, code = civis(t, dir, "centers", "show", "vl-1", "--json")
	var shown map[string]any
	if err := json.Unmarshal([]byte(out), &shown); code != 0 || err != nil || shown["timezone"] != "Asia/Vladivostok" || shown["lat"] != 43.1155 {
		t.Errorf("centers show --json = %d %q", code, out)
	}
	if out, _, code = civis(t, dir, "centers", "delete", "vl-1"); code != 0 || !strings.Contains(out, "deleted center vl-1") {
		t.Errorf("centers delete = %d %q", code, out)
	}
	if _, stderr, code = civis(t, dir, "centers", "show", "vl-1"); code != 1 || !strings.Contains(stderr, `no center has id "vl-1"`) {
		t.Errorf("centers show after delete = %d %q", code, stderr)
	}
	if _, stderr, code = civis(t, dir, "centers", "delete", "vl-1"); code != 1 || !strings.Contains(stderr, `no center has id "vl-1"`) {
		t.Errorf("centers delete twice = %d %q", code, stderr)
	}
}
