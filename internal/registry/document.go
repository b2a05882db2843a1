package registry

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Identity document types, as ESIA names them.
const (
	TypeRFPassport      = "RF_PASSPORT" // passport of a citizen of the Russian Federation
	TypeForeignPassport = "FRGN_PASS"   // a foreign citizen's national passport
)

// Document is an identity document. An RF passport has Series (4 digits),
// Number (6 digits), IssueDate, Issuer and DivisionCode ("NNN-NNN"); a
// foreign passport has Number, Country (ISO 3166-1 alpha-3) and optional
// Series (few countries use one), IssueDate, ExpiryDate and Issuer. Dates
// are at UTC midnight.
type Document struct {
	Type           string
	Series, Number string
	IssueDate      time.Time
	Issuer         string
	DivisionCode   string
	Country        string
	ExpiryDate     time.Time
}

// firstPassportDate is when the current Russian passport was introduced
// (Government Decree No. 828 of 8 July 1997); no passport is older.
var firstPassportDate = time.Date(1997, time.July, 8, 0, 0, 0, 0, time.UTC)

// firstDate and lastDate bound every date, so that it fits "YYYY-MM-DD"
// and is not absurd.
var (
	firstDate = time.Date(1800, time.January, 1, 0, 0, 0, 0, time.UTC)
	lastDate  = time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC)
)

// inDateRange reports whether t lies between firstDate and lastDate.
func inDateRange(t time.Time) bool {
	return !t.Before(firstDate) && !t.After(lastDate)
}

// Limits on foreign passport series and numbers and on issuer names.
const (
	maxForeignSeriesLen = 20
	maxForeignNumberLen = 30
	maxIssuerLen        = 250
)

// ParseDocument checks the shape of d and returns it normalized: type in
// upper case, spaces and hyphens removed from series and number, the
// division code as "NNN-NNN", the country in upper case, dates at UTC
// midnight, the issuer's spaces collapsed. It checks shapes only: that the
// issue date is not in the future and follows the 14th birthday is the
// caller's check. Every wrong field is reported in one [*DocumentError].
func ParseDocument(d Document) (Document, error) {
	d.Type = strings.ToUpper(strings.TrimSpace(d.Type))
	d.Issuer = strings.Join(strings.Fields(d.Issuer), " ")
	d.IssueDate, d.ExpiryDate = dateOnly(d.IssueDate), dateOnly(d.ExpiryDate)
	var e DocumentError
	if !validIssuer(d.Issuer) {
		e.add("issuer", CodeIssuerInvalid)
	}
	switch d.Type {
	case TypeRFPassport:
		d = parseRFPassport(d, &e)
	case TypeForeignPassport:
		d = parseForeignPassport(d, &e)
	default:
		e.add("type", CodeTypeInvalid)
	}
	if len(e.Fields) > 0 {
		return Document{}, &e
	}
	return d, nil
}

// parseRFPassport normalizes and checks the fields of an RF passport.
func parseRFPassport(d Document, e *DocumentError) Document {
	d.Series, d.Number = removeSeparators(d.Series), removeSeparators(d.Number)
	if !isDigitsN(d.Series, 4) {
		e.add("series", CodeSeriesInvalid)
	}
	if !isDigitsN(d.Number, 6) {
		e.add("number", CodeNumberInvalid)
	}
	code, ok := normalizeDivisionCode(d.DivisionCode)
	if !ok {
		e.add("division_code", CodeDivisionCodeInvalid)
	}
	d.DivisionCode = code
	if !inDateRange(d.IssueDate) || d.IssueDate.Before(firstPassportDate) {
		e.add("issue_date", CodeIssueDateInvalid)
	}
	if c := strings.ToUpper(strings.TrimSpace(d.Country)); c != "" && c != "RUS" {
		e.add("country", CodeCountryInvalid)
	}
	d.Country = ""
	if !d.ExpiryDate.IsZero() {
		e.add("expiry_date", CodeExpiryDateInvalid)
	}
	return d
}

// parseForeignPassport normalizes and checks the fields of a foreign
// citizen's passport.
func parseForeignPassport(d Document, e *DocumentError) Document {
	d.Series = strings.ToUpper(removeSeparators(d.Series))
	if !validForeignSeries(d.Series) {
		e.add("series", CodeSeriesInvalid)
	}
	d.Number = strings.ToUpper(removeSeparators(d.Number))
	if !validForeignNumber(d.Number) {
		e.add("number", CodeNumberInvalid)
	}
	if strings.TrimSpace(d.DivisionCode) != "" {
		e.add("division_code", CodeDivisionCodeInvalid)
	}
	d.DivisionCode = ""
	d.Country = strings.ToUpper(strings.TrimSpace(d.Country))
	if !validForeignCountry(d.Country) {
		e.add("country", CodeCountryInvalid)
	}
	if !d.IssueDate.IsZero() && !inDateRange(d.IssueDate) {
		e.add("issue_date", CodeIssueDateInvalid)
	}
	if !d.ExpiryDate.IsZero() && (!inDateRange(d.ExpiryDate) || !d.ExpiryDate.After(d.IssueDate)) {
		e.add("expiry_date", CodeExpiryDateInvalid)
	}
	return d
}

// normalizeDivisionCode accepts "770-001", "770001" or "770 001" and returns
// "770-001"; an empty code stays empty.
func normalizeDivisionCode(s string) (string, bool) {
	digits := removeSeparators(s)
	if digits == "" {
		return "", true
	}
	if !isDigitsN(digits, 6) {
		return "", false
	}
	return digits[:3] + "-" + digits[3:], true
}

// validForeignSeries reports whether s is empty or up to 20 letters (of any
// script) and digits.
func validForeignSeries(s string) bool {
	return utf8.RuneCountInString(s) <= maxForeignSeriesLen && strings.IndexFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) < 0
}

// validForeignNumber reports whether s is 1 to 30 Latin capitals and digits.
func validForeignNumber(s string) bool {
	if s == "" || len(s) > maxForeignNumberLen {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) < 0
}

// validForeignCountry reports whether c is an ISO 3166-1 alpha-3 country
// code other than RUS (a Russian citizen's passport is an RF_PASSPORT).
func validForeignCountry(c string) bool {
	if len(c) != 3 || c == "RUS" || strings.IndexFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return false
	}
	r, err := language.ParseRegion(c)
	return err == nil && r.IsCountry() && r.ISO3() == c
}

// validIssuer reports whether s is text without control characters, of a
// sane length.
func validIssuer(s string) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= maxIssuerLen && !strings.ContainsFunc(s, unicode.IsControl)
}

// removeSpaces drops every white-space character of s.
func removeSpaces(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// removeSeparators drops white space and hyphens.
func removeSeparators(s string) string {
	return strings.ReplaceAll(removeSpaces(s), "-", "")
}

// isDigitsN reports whether s is exactly n ASCII digits.
func isDigitsN(s string, n int) bool {
	if len(s) != n {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}
