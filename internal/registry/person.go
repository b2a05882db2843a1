package registry

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// dateLayout is how dates travel in data files and on the wire.
const dateLayout = "2006-01-02"

// maxNameLen bounds each name, in characters.
const maxNameLen = 100

// checkPerson reports a person that no registry could look up: a missing
// or overlong name, a missing birth date, an unknown gender. The error text
// names the field, never its value.
func checkPerson(p Person) error {
	for _, f := range []struct{ field, value string }{
		{"last_name", p.LastName}, {"first_name", p.FirstName}, {"middle_name", p.MiddleName},
	} {
		optional := f.field == "middle_name"
		if !validName(f.value, optional) {
			return fmt.Errorf("person %s is invalid", f.field)
		}
	}
	if !inDateRange(p.BirthDate) {
		return fmt.Errorf("person birth_date is missing or out of range")
	}
	if p.Gender != "" && p.Gender != "M" && p.Gender != "F" {
		return fmt.Errorf("person gender must be M, F or empty")
	}
	return nil
}

// validName reports whether s is a name of a sane length without control
// characters.
func validName(s string, optional bool) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return optional
	}
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= maxNameLen && !strings.ContainsFunc(s, unicode.IsControl)
}

// foldName reduces a name to the form registries compare: lower case, "ё"
// read as "е", dashes unified, runs of spaces collapsed.
func foldName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case 'ё', 'Ё':
			return 'е'
		case '‐', '‑', '‒', '–', '—':
			return '-'
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// sameNames reports whether the three names of a and b are equal after
// [foldName].
func sameNames(a, b Person) bool {
	return foldName(a.LastName) == foldName(b.LastName) &&
		foldName(a.FirstName) == foldName(b.FirstName) &&
		foldName(a.MiddleName) == foldName(b.MiddleName)
}

// dateOnly returns the calendar date of t (in t's own location) at UTC
// midnight; the zero time stays zero.
func dateOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sameDate reports whether a and b fall on the same calendar date.
func sameDate(a, b time.Time) bool {
	return dateOnly(a).Equal(dateOnly(b))
}

// formatDate writes t as YYYY-MM-DD, or "" for the zero time.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return dateOnly(t).Format(dateLayout)
}

// parseDate reads YYYY-MM-DD; "" gives the zero time.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(dateLayout, s)
}
