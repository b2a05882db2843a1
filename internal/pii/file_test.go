package pii

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	path := filepath.Join(dir, "pii.json")

	if _, err := LoadOrCreate(path, false); err == nil || !strings.Contains(err.Error(), "keys file "+path+" not found") {
		t.Fatalf("LoadOrCreate(missing, false) got %v, want a not found error", err)
	}
	k, err := LoadOrCreate(path, true)
	if err != nil {
		t.Fatalf("LoadOrCreate(missing, true): %v", err)
	}
	checkMode(t, path, 0o600)
	checkMode(t, dir, 0o700|os.ModeDir)

	again, err := LoadOrCreate(path, false)
	if err != nil {
		t.Fatalf("LoadOrCreate(existing, false): %v", err)
	}
	if a, b := k.BlindIndex("phone", "+79161234567"), again.BlindIndex("phone", "+79161234567"); a != b {
		t.Errorf("reloaded keys give blind index %q, want %q", b, a)
	}
	if _, err := LoadOrCreate(path, true); err != nil {
		t.Errorf("LoadOrCreate(existing, true): %v", err)
	}
}

func TestLoadOrCreateCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pii.json")
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(path, true); err == nil {
		t.Error("LoadOrCreate(corrupt file, true) succeeded, want an error")
	}
	if b, _ := os.ReadFile(path); string(b) != "{" {
		t.Errorf("LoadOrCreate overwrote a corrupt keys file with %q", b)
	}
}

// checkMode fails unless path has exactly mode want.
func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("Stat(%s): %v", path, err)
	}
	if got := fi.Mode(); got != want {
		t.Errorf("mode of %s got %v, want %v", path, got, want)
	}
}
