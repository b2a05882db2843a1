package ident

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxEmailLen = 254
	maxLocalLen = 64
)

// NormalizeEmail trims s, lower-cases the whole address and validates it,
// returning for example "user@example.ru". Display names, quoted local parts,
// domain literals and domains without a dot fail with [CodeEmailInvalid].
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", fail(CodeRequired)
	}
	if !validEmail(s) {
		return "", fail(CodeEmailInvalid)
	}
	return s, nil
}

// validEmail checks an already trimmed, lower-cased address.
func validEmail(s string) bool {
	if len(s) > maxEmailLen || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") || len(local) > maxLocalLen {
		return false
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Name == "" && addr.Address == s
}
