// Package archtest checks the layout rules of STYLE.md: one package doc comment per package,
// dependencies pointing inward, no test code in production packages.
package archtest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/civis-id/civis/"

type pkg struct {
	ImportPath string
	Dir        string
	Deps       []string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "github.com/civis-id/civis/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestPackageDocs: every package has exactly one package doc comment.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		files, _ := filepath.Glob(filepath.Join(p.Dir, "*.go"))
		docs, sources := 0, 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			sources++
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if af.Doc != nil {
				docs++
			}
		}
		if sources > 0 && docs != 1 {
			t.Errorf("%s has %d package doc comments, want 1", p.ImportPath, docs)
		}
	}
}

// TestDependencyDirection: the domain does not speak HTTP, only the composition root (and
// test support) reaches the storage implementation, and no production code imports testing.
func TestDependencyDirection(t *testing.T) {
	noHTTP := []string{"account", "credential", "flow", "audit", "session", "ratelimit", "jobs", "ident", "pii", "store", "messages", "mfa", "pow",
		"recovery", "settings", "deletion", "notice", "proofing", "grant", "consent", "signing", "rp", "ledger", "staff", "partner", "center", "operator"}
	storeUsers := []string{"app", "app/apptest", "store/storetest", "store/sqlstore"}
	testSupport := []string{"app/apptest", "store/storetest", "archtest"}
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "internal/")
		if slices.Contains(noHTTP, rel) && slices.Contains(p.Imports, "net/http") {
			t.Errorf("%s imports net/http; domain packages must not", rel)
		}
		if slices.Contains(p.Imports, module+"internal/store/sqlstore") && !slices.Contains(storeUsers, rel) {
			t.Errorf("%s imports store/sqlstore; only app and storetest may", rel)
		}
		if slices.Contains(p.Imports, "testing") && !slices.Contains(testSupport, rel) {
			t.Errorf("%s imports testing in production code", rel)
		}
	}
}
