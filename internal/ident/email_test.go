package ident

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	long := strings.Repeat("a", 64)
	runNormCases(t, "NormalizeEmail", NormalizeEmail, []normCase{
		{in: "user@example.ru", want: "user@example.ru"},
		{in: "  User@Example.RU ", want: "user@example.ru"},
		{in: "a@B.ru", want: "a@b.ru"},
		{in: "first.last+tag@mail.example.com", want: "first.last+tag@mail.example.com"},
		{in: long + "@example.ru", want: long + "@example.ru"},
		{in: "", code: CodeRequired},
		{in: " \t", code: CodeRequired},
		{in: "user", code: CodeEmailInvalid},
		{in: "user@localhost", code: CodeEmailInvalid},
		{in: "user@@example.ru", code: CodeEmailInvalid},
		{in: "a@b@example.ru", code: CodeEmailInvalid},
		{in: "@example.ru", code: CodeEmailInvalid},
		{in: "user@", code: CodeEmailInvalid},
		{in: "user@.ru", code: CodeEmailInvalid},
		{in: "user@example.ru.", code: CodeEmailInvalid},
		{in: "us er@example.ru", code: CodeEmailInvalid},
		{in: "User <user@example.ru>", code: CodeEmailInvalid},
		{in: "<user@example.ru>", code: CodeEmailInvalid},
		{in: `"user"@example.ru`, code: CodeEmailInvalid},
		{in: "user@[192.168.0.1]", code: CodeEmailInvalid},
		{in: "user@example.ru (comment)", code: CodeEmailInvalid},
		{in: "a" + long + "@example.ru", code: CodeEmailInvalid},
		{in: "u@" + strings.Repeat("d", 250) + ".ru", code: CodeEmailInvalid},
	})
}
