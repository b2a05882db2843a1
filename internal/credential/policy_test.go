package credential

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw   string
		want []string
	}{
		{"Kx7#vTq9", nil},
		{"Kx7 vTq9!", nil},
		{"Kx7#vTq", []string{CodePasswordTooShort}},
		{"Kx7#" + strings.Repeat("v", 125), []string{CodePasswordTooLong}},
		{"Kx7#" + strings.Repeat("v", 124), nil},
		{"KX7#VTQ9", []string{CodePasswordNeedsLower}},
		{"kx7#vtq9", []string{CodePasswordNeedsUpper}},
		{"Kxz#vTqp", []string{CodePasswordNeedsDigit}},
		{"Kx7zvTq9", []string{CodePasswordNeedsSpecial}},
		{"Kx7 vTq9", []string{CodePasswordNeedsSpecial}},
		{"Кириллица7#Ab", nil},
		{"Кириллица", []string{CodePasswordNeedsLower, CodePasswordNeedsUpper, CodePasswordNeedsDigit, CodePasswordNeedsSpecial}},
		{"", []string{CodePasswordTooShort, CodePasswordNeedsLower, CodePasswordNeedsUpper, CodePasswordNeedsDigit, CodePasswordNeedsSpecial}},
		{"Password123!", []string{CodePasswordTooCommon}},
		{"Qwerty123!", []string{CodePasswordTooCommon}},
		{"!!P@ssw0rd", []string{CodePasswordTooCommon}}, // core "p@ssw0rd" is listed
		{"1Password!", []string{CodePasswordTooCommon}},
		{"Password1!", []string{CodePasswordTooCommon}},
		{"password", []string{CodePasswordNeedsUpper, CodePasswordNeedsDigit, CodePasswordNeedsSpecial, CodePasswordTooCommon}},
		{"Dragon2024!", []string{CodePasswordTooCommon}},
		{"Abc12!@#", nil}, // core "abc" is shorter than 6
	}
	for _, tc := range tests {
		t.Run(tc.pw, func(t *testing.T) {
			var got []string
			for _, v := range CheckPassword(tc.pw) {
				if v.Message == "" {
					t.Errorf("violation %q has no message", v.Code)
				}
				got = append(got, v.Code)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CheckPassword(%q) codes mismatch (-want +got):\n%s", tc.pw, diff)
			}
		})
	}
}

func TestCommonPasswordsList(t *testing.T) {
	set := commonPasswords()
	if n := len(set); n != 10000 {
		t.Errorf("common password list has %d entries, want 10000", n)
	}
	for pw := range set {
		if len(pw) < 6 || pw != strings.ToLower(pw) {
			t.Errorf("list entry %q is shorter than 6 or not lower-case", pw)
		}
	}
}
