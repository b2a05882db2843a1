package ident

import (
	"strings"
	"unicode/utf8"
)

// MaskPhone shows enough of a phone (E.164) for its owner to recognise it:
// "+7 916 ***-**-67"; a number FormatPhone does not lay out keeps its first two and last two
// characters.
func MaskPhone(e164 string) string {
	f := FormatPhone(e164) // "+7 916 123-45-67"
	if f == e164 || len(f) != 16 {
		if len(e164) <= 4 {
			return "***"
		}
		return e164[:2] + strings.Repeat("*", len(e164)-4) + e164[len(e164)-2:]
	}
	return f[:7] + "***-**-" + f[14:]
}

// MaskEmail shows the first character and the domain of an email: "i***@example.ru".
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}
