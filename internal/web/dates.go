package web

import (
	"regexp"
	"strings"
)

// Dates are stored as YYYY-MM-DD and shown and typed day first, as DD.MM.YYYY.

// dayFirstRE matches a date typed day first: 14.03.1985, 14/03/1985, 14-03-1985, 1.3.1985.
var dayFirstRE = regexp.MustCompile(`^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$`)

// readDate rewrites a date typed day first as YYYY-MM-DD; anything else is passed on as
// typed, for the service to judge.
func readDate(s string) string {
	s = strings.TrimSpace(s)
	m := dayFirstRE.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	return m[3] + "-" + pad2(m[2]) + "-" + pad2(m[1])
}

// pad2 pads a one-digit day or month with a zero.
func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// showDate writes a stored YYYY-MM-DD date as DD.MM.YYYY, anything else as it is.
func showDate(s string) string {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return s
	}
	return s[8:10] + "." + s[5:7] + "." + s[0:4]
}
