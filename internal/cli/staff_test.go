package cli_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/cli"
	"github.com/civis-id/civis/internal/staff"
)

// TestStaffCommands: the platform admin moves the demo operator of --dev between centers,
// lists and removes staff; each change is on the staff member's audit chain.
func TestStaffCommands(t *testing.T) {
	env := apptest.New(t)
	run := func(args ...string) (string, string, int) {
		args = append(args, "--db", env.App.Config.DB, "--keys-file", env.App.Config.KeysFile)
		var out, errOut bytes.Buffer
		code := cli.Run(args, &out, &errOut)
		return out.String(), errOut.String(), code
	}
	out, stderr, code := run("staff", "list", "--center", "demo-tverskaya")
	if code != 0 || !regexp.MustCompile(`(?m)^\S+ +Операторова Ольга +center_admin +\d{4}-\d\d-\d\d +admin$`).MatchString(out) {
		t.Fatalf("staff list = %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code = run("staff", "add", "--center", "demo-arbat", "--login", "nobody@civis.test"); code != 1 ||
		!strings.Contains(stderr, "must register first") {
		t.Errorf("staff add of an unknown login = %d %q", code, stderr)
	}
	if _, stderr, code = run("staff", "add", "--center", "no-such", "--login", app.DemoOperatorLogin); code != 1 ||
		!strings.Contains(stderr, "no service center") {
		t.Errorf("staff add to an unknown center = %d %q", code, stderr)
	}
	if _, stderr, code = run("staff", "add", "--center", "demo-arbat", "--login", app.DemoOperatorLogin, "--role", "boss"); code != 1 ||
		!strings.Contains(stderr, "--role") {
		t.Errorf("staff add with a bad role = %d %q", code, stderr)
	}
	out, stderr, code = run("staff", "add", "--center", "demo-arbat", "--login", "OPERATOR@civis.test", "--role", "operator")
	if code != 0 || !strings.Contains(out, "is now operator at center demo-arbat") {
		t.Fatalf("staff add = %d %q %q", code, out, stderr)
	}
	if out, _, _ = run("staff", "list", "--center", "demo-tverskaya"); strings.Contains(out, "Операторова") {
		t.Errorf("the moved operator is still listed at the first center:\n%s", out)
	}
	out, stderr, code = run("staff", "remove", "--login", app.DemoOperatorLogin)
	if code != 0 || !strings.Contains(out, "is no longer operator at center demo-arbat") {
		t.Fatalf("staff remove = %d %q %q", code, out, stderr)
	}
	if _, stderr, code = run("staff", "remove", "--login", app.DemoOperatorLogin); code != 1 || !strings.Contains(stderr, "not staff") {
		t.Errorf("staff remove again = %d %q", code, stderr)
	}

	acc, err := env.App.StaffDesk.FindLogin(context.Background(), app.DemoOperatorLogin)
	if err != nil {
		t.Fatal(err)
	}
	events, err := env.App.DB.AccountEvents(context.Background(), acc.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if strings.HasPrefix(e.Action, "staff.") {
			got = append(got, e.Action+" "+e.Details["center_id"]+" "+e.Actor)
		}
	}
	want := []string{staff.ActionRemoved + " demo-arbat system", staff.ActionAssigned + " demo-arbat system"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("staff events (newest first) %q, want %q", got, want)
	}
	var chain []*audit.Event
	for i := len(events) - 1; i >= 0; i-- {
		chain = append(chain, events[i])
	}
	if err := audit.Verify(chain); err != nil {
		t.Error(err)
	}
}
