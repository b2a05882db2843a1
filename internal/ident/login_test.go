package ident

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoginCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want []Login
	}{
		{"89161234567", []Login{{LoginPhone, "+79161234567"}}},
		{"+7 916 123-45-67", []Login{{LoginPhone, "+79161234567"}}},
		// 891-612-345: S = 222, 222 mod 101 = 20, so this is a SNILS too.
		{"89161234520", []Login{{LoginPhone, "+79161234520"}, {LoginSNILS, "89161234520"}}},
		{"8 916 123-45-20", []Login{{LoginPhone, "+79161234520"}, {LoginSNILS, "89161234520"}}},
		{"a@B.ru", []Login{{LoginEmail, "a@b.ru"}}},
		{" User@Example.ru ", []Login{{LoginEmail, "user@example.ru"}}},
		{"112-233-445 95", []Login{{LoginSNILS, "11223344595"}}},
		{"11223344595", []Login{{LoginSNILS, "11223344595"}}},
		{"garbage", []Login{}},
		{"", []Login{}},
		{"a@b", []Login{}},
		{"112-233-445 96", []Login{}},
		{"+7 701 123 45 67", []Login{}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := LoginCandidates(tc.in)
			if got == nil {
				t.Fatalf("LoginCandidates(%q) returned nil, want a non-nil slice", tc.in)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("LoginCandidates(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
