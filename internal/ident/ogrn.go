package ident

import "strings"

// NormalizeOGRN validates a state registration number: 13 digits (OGRN,
// legal entities) or 15 (OGRNIP, sole proprietors). The check digit is the
// last digit of the body modulo 11 (OGRN) or 13 (OGRNIP). Surrounding spaces
// are trimmed. A wrong shape fails with [CodeOGRNInvalid], a wrong check
// digit with [CodeOGRNChecksum].
func NormalizeOGRN(s string) (string, error) {
	d := strings.TrimSpace(s)
	if d == "" {
		return "", fail(CodeRequired)
	}
	if (len(d) != 13 && len(d) != 15) || !isDigits(d) {
		return "", fail(CodeOGRNInvalid)
	}
	if !ogrnChecksumOK(d) {
		return "", fail(CodeOGRNChecksum)
	}
	return d, nil
}

// ogrnChecksumOK checks the last digit of a 13- or 15-digit number.
func ogrnChecksumOK(d string) bool {
	mod := 11
	if len(d) == 15 {
		mod = 13
	}
	body, last := d[:len(d)-1], digitAt(d, len(d)-1)
	return modDigits(body, mod)%10 == last
}
