package credential

import (
	"strings"
	"testing"
)

func TestNewNumericCode(t *testing.T) {
	for _, digits := range []int{1, 6, 18} {
		c, err := NewNumericCode(digits)
		if err != nil || len(c) != digits || strings.Trim(c, "0123456789") != "" {
			t.Errorf("NewNumericCode(%d) got (%q, %v), want %d digits", digits, c, err, digits)
		}
	}
	for _, digits := range []int{0, -1, 19} {
		if c, err := NewNumericCode(digits); err == nil {
			t.Errorf("NewNumericCode(%d) got %q, want an error", digits, c)
		}
	}
}

func TestNewNumericCodeUniform(t *testing.T) {
	const draws = 5000
	var first [10]int
	for range draws {
		c, err := NewNumericCode(6)
		if err != nil || len(c) != 6 {
			t.Fatalf("NewNumericCode(6) got (%q, %v)", c, err)
		}
		first[c[0]-'0']++
	}
	// Each leading digit, zero included, is expected draws/10 = 500 times;
	// 350..650 is more than six standard deviations wide.
	for d, n := range first {
		if n < 350 || n > 650 {
			t.Errorf("leading digit %d seen %d times in %d codes, want about %d", d, n, draws, draws/10)
		}
	}
}

func TestCodeKey(t *testing.T) {
	k := CodeKey("0123456789abcdef0123456789abcdef")
	other := CodeKey("fedcba9876543210fedcba9876543210")
	h := k.Hash("registration/r1/phone", "123456")
	tests := []struct {
		name  string
		key   CodeKey
		scope string
		code  string
		want  bool
	}{
		{"match", k, "registration/r1/phone", "123456", true},
		{"wrong code", k, "registration/r1/phone", "123457", false},
		{"other scope", k, "registration/r1/email", "123456", false},
		{"scope and code shifted", k, "registration/r1/phone1", "23456", false},
		{"other key", other, "registration/r1/phone", "123456", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.key.Equal(tc.scope, tc.code, h); got != tc.want {
				t.Errorf("Equal(%q, %q) got %v, want %v", tc.scope, tc.code, got, tc.want)
			}
		})
	}
	if h != k.Hash("registration/r1/phone", "123456") || strings.ContainsAny(h, "+/=") {
		t.Errorf("Hash got %q, want a stable unpadded base64url string", h)
	}
}

func TestTokens(t *testing.T) {
	a, errA := NewToken()
	b, errB := NewToken()
	if errA != nil || errB != nil || len(a) != 43 || a == b {
		t.Errorf("NewToken() got (%q, %v), (%q, %v); want two distinct 43-character tokens", a, errA, b, errB)
	}
	// SHA-256("abc") in base64url.
	if got, want := HashToken("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"; got != want {
		t.Errorf("HashToken(%q) got %q, want %q", "abc", got, want)
	}
}
