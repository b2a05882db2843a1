package web

import (
	"strings"
	"unicode/utf8"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ident"
)

// maskContact shows enough of a contact for its owner to recognise it: "+7 916 ***-**-67",
// "i***@example.ru".
func maskContact(kind account.ContactKind, value string) string {
	if kind == account.Phone {
		return maskPhone(value)
	}
	return maskEmail(value)
}

func maskPhone(e164 string) string {
	f := ident.FormatPhone(e164) // "+7 916 123-45-67"
	if f == e164 || len(f) != 16 {
		if len(e164) <= 4 {
			return "***"
		}
		return e164[:2] + strings.Repeat("*", len(e164)-4) + e164[len(e164)-2:]
	}
	return f[:7] + "***-**-" + f[14:]
}

func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}

// showContact formats a contact for its owner: a phone as "+7 916 123-45-67".
func showContact(kind account.ContactKind, value string) string {
	if kind == account.Phone {
		return ident.FormatPhone(value)
	}
	return value
}
