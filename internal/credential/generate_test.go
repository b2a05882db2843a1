package credential

import (
	"strings"
	"testing"
)

func TestGeneratePassword(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		pw := GeneratePassword()
		if len(pw) != 16 {
			t.Fatalf("GeneratePassword() got %q, want 16 characters", pw)
		}
		if vs := CheckPassword(pw); len(vs) != 0 {
			t.Fatalf("GeneratePassword() got %q, which breaks the policy: %v", pw, vs)
		}
		if strings.ContainsAny(pw, "0Oo1lI") {
			t.Fatalf("GeneratePassword() got %q with an ambiguous character", pw)
		}
		if seen[pw] {
			t.Fatalf("GeneratePassword() repeated %q", pw)
		}
		seen[pw] = true
	}
}
