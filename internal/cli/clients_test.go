package cli_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/civis-id/civis/internal/cli"
)

// civis runs the command line against one database and keys file, and returns its output.
func civis(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	args = append(args, "--db", "sqlite:"+filepath.Join(dir, "civis.db"), "--keys-file", filepath.Join(dir, "keys.json"), "--dev")
	var out, errOut bytes.Buffer
	code = cli.Run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestClientsCommands(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := civis(t, dir, "clients", "list"); code != 1 || !strings.Contains(stderr, "civis migrate") {
		t.Errorf("clients list before migrate = %d %q, want exit 1 naming civis migrate", code, stderr)
	}
	if _, stderr, code := civis(t, dir, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}

	out, stderr, code := civis(t, dir, "clients", "create", "--id", "tax-service", "--name", "Tax service",
		"--redirect-uri", "https://tax.example.ru/callback", "--redirect-uri", "https://tax.example.ru/cb2",
		"--scopes", "openid,fullname snils", "--min-level", "confirmed", "--allowed-methods", "in_person,e_signature")
	if code != 0 || !regexp.MustCompile(`(?m)^client_id: +tax-service\nclient_secret: +\S{43}\n$`).MatchString(out) ||
		!strings.Contains(stderr, "shown only once") {
		t.Fatalf("clients create = %d\nstdout %q\nstderr %q", code, out, stderr)
	}

	out, _, code = civis(t, dir, "clients", "create", "--name", "Mobile app", "--redirect-uri", "http://127.0.0.1/cb",
		"--auth-method", "none", "--json")
	var app map[string]any
	if err := json.Unmarshal([]byte(out), &app); code != 0 || err != nil || app["client_secret"] != nil ||
		app["auth_method"] != "none" || !strings.HasPrefix(app["id"].(string), "c-") {
		t.Errorf("clients create --json (public client) = %d %q", code, out)
	}

	_, stderr, code = civis(t, dir, "clients", "create", "--name", "Bad", "--redirect-uri", "http://rp.example.ru/cb",
		"--scopes", "openid,passwords")
	if code != 1 || !strings.Contains(stderr, "--redirect-uri: \"http://rp.example.ru/cb\": http is allowed only on loopback") ||
		!strings.Contains(stderr, "--scopes: unknown scope \"passwords\"") {
		t.Errorf("clients create with bad input = %d %q, want exit 1 and one line per field", code, stderr)
	}
	if _, stderr, code = civis(t, dir, "clients", "create", "--id", "tax-service", "--name", "Again",
		"--redirect-uri", "https://tax.example.ru/callback"); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("clients create with a taken id = %d %q", code, stderr)
	}

	out, _, code = civis(t, dir, "clients", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^tax-service +Tax service +client_secret_basic +confirmed +openid,fullname,snils `).MatchString(out) ||
		!strings.Contains(out, "Mobile app") {
		t.Errorf("clients list = %d\n%s", code, out)
	}

	out, _, code = civis(t, dir, "clients", "show", "tax-service")
	for _, want := range []string{"redirect uris:  ", "https://tax.example.ru/callback https://tax.example.ru/cb2",
		"allowed methods:", "in_person e_signature", "roles:", "-"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("clients show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(strings.ToLower(out), "secret:") {
		t.Errorf("clients show reveals a secret:\n%s", out)
	}

	out, _, code = civis(t, dir, "clients", "rotate-secret", "tax-service", "--json")
	var sec map[string]string
	if err := json.Unmarshal([]byte(out), &sec); code != 0 || err != nil || sec["client_id"] != "tax-service" || len(sec["client_secret"]) != 43 {
		t.Errorf("clients rotate-secret --json = %d %q", code, out)
	}
	if _, stderr, code = civis(t, dir, "clients", "rotate-secret", app["id"].(string)); code != 1 || !strings.Contains(stderr, "no secret") {
		t.Errorf("clients rotate-secret of a public client = %d %q", code, stderr)
	}

	if out, _, code = civis(t, dir, "clients", "delete", "tax-service"); code != 0 || !strings.Contains(out, "deleted client tax-service") {
		t.Errorf("clients delete = %d %q", code, out)
	}
	if _, stderr, code = civis(t, dir, "clients", "show", "tax-service"); code != 1 || !strings.Contains(stderr, `no client has id "tax-service"`) {
		t.Errorf("clients show after delete = %d %q", code, stderr)
	}
}

func TestSigningKeyCommands(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, code := civis(t, dir, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	if out, _, code := civis(t, dir, "keys", "list"); code != 0 || !strings.Contains(out, "(none") {
		t.Errorf("keys list on a new database = %d %q", code, out)
	}
	out, _, code := civis(t, dir, "keys", "rotate")
	first := regexp.MustCompile(`new signing key (\S+) \(ES256\) is active`).FindStringSubmatch(out)
	if code != 0 || first == nil {
		t.Fatalf("keys rotate = %d %q", code, out)
	}
	out, _, code = civis(t, dir, "keys", "rotate", "--alg", "RS256")
	second := regexp.MustCompile(`new signing key (\S+) \(RS256\) is active`).FindStringSubmatch(out)
	if code != 0 || second == nil {
		t.Fatalf("keys rotate --alg RS256 = %d %q", code, out)
	}
	out, _, code = civis(t, dir, "keys", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID ") ||
		!regexp.MustCompile(`^`+second[1]+` +RS256 +active +\S+ \S+ +- +-$`).MatchString(lines[1]) ||
		!regexp.MustCompile(`^`+first[1]+` +ES256 +retired( +\S+ \S+){3}$`).MatchString(lines[2]) {
		t.Errorf("keys list = %d\n%s", code, out)
	}
	if _, stderr, code := civis(t, dir, "keys", "rotate", "--alg", "HS256"); code != 1 || !strings.Contains(stderr, "ES256 or RS256") {
		t.Errorf("keys rotate --alg HS256 = %d %q", code, stderr)
	}
	var help bytes.Buffer
	cli.Run([]string{"keys", "--help"}, &help, &help)
	for _, want := range []string{"keys file", "rotate-data-key", "signing", "rotate ", "published for 24"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("keys --help lacks %q", want)
		}
	}
}
