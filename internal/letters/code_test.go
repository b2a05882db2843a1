package letters

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		c, err := NewCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != CodeLen || strings.Trim(c, alphabet) != "" {
			t.Fatalf("NewCode() = %q, want %d characters of %s", c, CodeLen, alphabet)
		}
		if seen[c] {
			t.Fatalf("NewCode() repeated %q", c)
		}
		seen[c] = true
	}
	if c, _ := NewCode(bytes.NewReader([]byte{0, 1, 2, 3, 4, 31, 32, 255, 64, 100})); c != "01234Z0Z04" {
		t.Errorf("NewCode(fixed bytes) = %q, want 01234Z0Z04 (low 5 bits of each byte)", c)
	}
	if _, err := NewCode(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("NewCode(short source) succeeded")
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"7K3QD-M9XZ2", "7K3QDM9XZ2"},
		{"7k3qd-m9xz2", "7K3QDM9XZ2"},
		{" 7K3QD M9XZ2 ", "7K3QDM9XZ2"},
		{"7k3q-dm9-xz2", "7K3QDM9XZ2"},
		{"OIL00-ilo11", "0110011011"},
		{"7К3QD–М9ХZ2", "7K3QDM9XZ2"}, // Cyrillic К, М, Х and an en dash
		{"abcde fghjk", "ABCDEFGHJK"},
	} {
		if got, err := Normalize(tc.in); err != nil || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, reason string }{
		{"", "length"},
		{"7K3QD-M9XZ", "length"},
		{"7K3QD-M9XZ22", "length"},
		{"7K3QD-M9XU2", "character"},
		{"7K3QD-M9X*2", "character"},
		{"7K3QD_M9XZ2", "character"},
		{strings.Repeat("A", 100), "length"},
	} {
		_, err := Normalize(tc.in)
		var ce *CodeError
		if !errors.As(err, &ce) || ce.Reason != tc.reason || !errors.Is(err, ErrCodeFormat) {
			t.Errorf("Normalize(%q) err = %v, want a %s CodeError", tc.in, err, tc.reason)
		}
	}
	if _, err := Normalize("7K3QD-M9XU2"); err == nil || !strings.Contains(err.Error(), `'U'`) {
		t.Errorf("Normalize with U: %v, want the character named", err)
	}
}

func TestFormat(t *testing.T) {
	if got := Format("7K3QDM9XZ2"); got != "7K3QD-M9XZ2" {
		t.Errorf("Format = %q", got)
	}
}

// FuzzNormalize: Normalize never panics; whatever it accepts is a code in stored form; every
// code read back from its printed form, in lower case, without the dash or with O, I and L
// for 0 and 1, is itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"7K3QD-M9XZ2", "7k3qd m9xz2", "OIL00-ilo11", "7K3QD-M9XU2", "", "-----", "ÿÿÿÿÿÿÿÿÿÿ",
		"7К3QD–М9ХZ2", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Normalize(s)
		if err != nil {
			if !errors.Is(err, ErrCodeFormat) {
				t.Fatalf("Normalize(%q) err %v is not a format error", s, err)
			}
		} else if len(got) != CodeLen || strings.Trim(got, alphabet) != "" {
			t.Fatalf("Normalize(%q) = %q, not a stored code", s, got)
		}
		// Treat the input's bytes as a source of randomness for a code.
		code, err := NewCode(bytes.NewReader([]byte(s + strings.Repeat("\x00", CodeLen))))
		if err != nil {
			t.Fatal(err)
		}
		for _, typed := range []string{Format(code), strings.ToLower(Format(code)), code,
			strings.ReplaceAll(strings.ReplaceAll(Format(code), "0", "O"), "1", "l"),
			strings.ReplaceAll(strings.ToLower(code), "1", "i"), " " + code[:3] + " " + code[3:] + " "} {
			if back, err := Normalize(typed); err != nil || back != code {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", typed, back, err, code)
			}
		}
	})
}
