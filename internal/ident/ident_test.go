package ident

import (
	"errors"
	"testing"
)

// normCase is one input to a Normalize function and what it must yield:
// want on success, or code when it must fail.
type normCase struct {
	in   string
	want string
	code string
}

// runNormCases checks fn against each case in a subtest.
func runNormCases(t *testing.T, name string, fn func(string) (string, error), cases []normCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := fn(tc.in)
			if code := errCode(err); code != tc.code {
				t.Fatalf("%s(%q) error code %q (%v), want %q", name, tc.in, code, err, tc.code)
			}
			if got != tc.want {
				t.Errorf("%s(%q) got %q, want %q", name, tc.in, got, tc.want)
			}
		})
	}
}

// errCode returns the code of an *Error, "" for nil, and "?" for other errors.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return "?"
	}
	return e.Code
}

func TestErrorMessage(t *testing.T) {
	for code := range messages {
		if msg := (&Error{Code: code}).Error(); msg == "" {
			t.Errorf("Error{%q}.Error() is empty", code)
		}
	}
	if got, want := (&Error{Code: "x"}).Error(), "invalid value: x"; got != want {
		t.Errorf("Error{x}.Error() got %q, want %q", got, want)
	}
}
