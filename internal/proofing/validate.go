package proofing

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/registry"
)

// Validation of the checked items. Field paths are the API's JSON paths; codes are stable.

const (
	maxName  = 100
	maxText  = 200
	minAge   = 14 // a Russian passport is issued from 14, and so are standard accounts
	earliest = 1900
)

// firstRFPassport is when the current Russian passport was introduced.
var firstRFPassport = time.Date(1997, time.July, 8, 0, 0, 0, 0, time.UTC)

func normPersonal(f *fields, p *Personal, now time.Time) {
	p.LastName = name(f, "personal.last_name", p.LastName, true)
	p.FirstName = name(f, "personal.first_name", p.FirstName, true)
	p.MiddleName = name(f, "personal.middle_name", p.MiddleName, false)
	p.Gender = strings.ToUpper(strings.TrimSpace(p.Gender))
	if p.Gender == "" {
		f.add("personal.gender", "required", "this field is required")
	} else if p.Gender != "M" && p.Gender != "F" {
		f.add("personal.gender", "invalid_choice", "must be M or F")
	}
	if birth, ok := pastDate(f, "personal.birth_date", &p.BirthDate, true, now); ok && birth.AddDate(minAge, 0, 0).After(now) {
		f.add("personal.birth_date", "too_young", "a standard account needs the age of 14")
	}
	p.BirthPlace = text(f, "personal.birth_place", p.BirthPlace, true, maxText)
	p.Citizenship = country(f, "personal.citizenship", p.Citizenship, true)
}

// name checks a person's name: letters, spaces, hyphens, apostrophes and dots.
func name(f *fields, field, s string, required bool) string {
	s = text(f, field, s, required, maxName)
	letters, other := 0, false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.':
		default:
			other = true
		}
	}
	if s != "" && (letters == 0 || other) {
		f.add(field, "invalid_characters", "use letters, spaces, hyphens, apostrophes and dots")
	}
	return s
}

// text trims s, collapses inner whitespace and checks presence and length.
func text(f *fields, field, s string, required bool, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "" && required:
		f.add(field, "required", "this field is required")
	case utf8.RuneCountInString(s) > max:
		f.add(field, "too_long", "at most "+strconv.Itoa(max)+" characters")
	case strings.ContainsFunc(s, unicode.IsControl):
		f.add(field, "invalid_characters", "control characters are not allowed")
	}
	return s
}

// country checks an ISO 3166-1 alpha-3 code (shape only) and upper-cases it.
func country(f *fields, field, s string, required bool) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		if required {
			f.add(field, "required", "this field is required")
		}
		return s
	}
	if len(s) != 3 || strings.IndexFunc(s, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		f.add(field, "country_invalid", "use a 3-letter ISO 3166 country code, such as RUS")
	}
	return s
}

// date parses a YYYY-MM-DD date; ok is false when it is absent or wrong (and reported).
func date(f *fields, field string, d *Date, required bool) (time.Time, bool) {
	*d = Date(strings.TrimSpace(string(*d)))
	if *d == "" {
		if required {
			f.add(field, "required", "this field is required")
		}
		return time.Time{}, false
	}
	t, ok := d.Time()
	switch {
	case !ok:
		f.add(field, "date_invalid", "not a date of the form YYYY-MM-DD")
	case t.Year() < earliest:
		f.add(field, "date_too_early", "the date is before 1900")
		ok = false
	}
	return t, ok
}

// pastDate is date that must not be in the future.
func pastDate(f *fields, field string, d *Date, required bool, now time.Time) (time.Time, bool) {
	t, ok := date(f, field, d, required)
	if ok && t.After(now) {
		f.add(field, "date_in_future", "the date is in the future")
		return t, false
	}
	return t, ok
}

// expiry checks an expiry date against the issue date and today.
func expiry(f *fields, field string, d *Date, issued time.Time, now time.Time) {
	t, ok := date(f, field, d, true)
	switch {
	case !ok:
	case !issued.IsZero() && !t.After(issued):
		f.add(field, "expiry_before_issue", "the expiry date must be after the issue date")
	case t.Before(now.Truncate(24 * time.Hour)):
		f.add(field, "document_expired", "the document has expired")
	}
}

func normSNILS(f *fields, s *string) {
	d, err := ident.NormalizeSNILS(*s)
	if err != nil {
		identError(f, "snils", err)
		return
	}
	*s = d
}

func normINN(f *fields, s *string) {
	d, err := ident.NormalizeINN(*s)
	if err != nil {
		identError(f, "inn", err)
		return
	}
	if len(d) != 12 {
		f.add("inn", "inn_invalid", "a person's INN has 12 digits")
		return
	}
	*s = d
}

func identError(f *fields, field string, err error) {
	var ie *ident.Error
	if errors.As(err, &ie) {
		f.add(field, ie.Code, ie.Error())
		return
	}
	f.add(field, "invalid", err.Error())
}

func normIDDoc(f *fields, d *IDDocument, now time.Time) {
	d.Type = strings.ToUpper(strings.TrimSpace(d.Type))
	before := len(*f)
	switch d.Type {
	case RFPassport:
		normRFPassport(f, d, now)
	case ForeignPassport:
		normForeignPassport(f, d, now)
	case "":
		f.add("id_doc.type", "required", "this field is required")
	default:
		f.add("id_doc.type", "invalid_choice", "must be RF_PASSPORT or FRGN_PASS")
	}
	if len(*f) == before {
		registryShape(f, d)
	}
}

// registryShape applies the registry's own checks of a document's shape (a real ISO country,
// for one), so that a document the citizen may save is one the registry will look at.
func registryShape(f *fields, d *IDDocument) {
	_, err := registry.ParseDocument(d.registryDocument())
	var de *registry.DocumentError
	if !errors.As(err, &de) {
		return
	}
	for _, fe := range de.Fields {
		field, code := fe.Field, fe.Code
		if field == "division_code" {
			field, code = "department_code", "department_code_invalid"
		}
		f.add("id_doc."+field, code, "the registry does not accept this value")
	}
}

func normRFPassport(f *fields, d *IDDocument, now time.Time) {
	d.Series = digitsField(f, "id_doc.series", d.Series, 4, "series_invalid", "the series is 4 digits")
	d.Number = digitsField(f, "id_doc.number", d.Number, 6, "number_invalid", "the number is 6 digits")
	if issued, ok := pastDate(f, "id_doc.issue_date", &d.IssueDate, true, now); ok && issued.Before(firstRFPassport) {
		f.add("id_doc.issue_date", "date_too_early", "the current Russian passport is issued since 8 July 1997")
	}
	d.Issuer = text(f, "id_doc.issuer", d.Issuer, true, maxText)
	code := digitsField(f, "id_doc.department_code", d.DepartmentCode, 6, "department_code_invalid", "the department code is 6 digits, NNN-NNN")
	if len(code) == 6 {
		code = code[:3] + "-" + code[3:]
	}
	d.DepartmentCode = code
	forbid(f, "id_doc.country", &d.Country, "a Russian passport has no country field")
	forbid(f, "id_doc.expiry_date", (*string)(&d.ExpiryDate), "a Russian passport has no expiry date")
}

func normForeignPassport(f *fields, d *IDDocument, now time.Time) {
	forbid(f, "id_doc.series", &d.Series, "a foreign passport is identified by its number alone")
	d.Number = alnumField(f, "id_doc.number", d.Number, 4, 20)
	d.Country = country(f, "id_doc.country", d.Country, true)
	if d.Country == "RUS" {
		f.add("id_doc.country", "country_invalid", "a foreign passport is issued by another country than RUS")
	}
	issued, _ := pastDate(f, "id_doc.issue_date", &d.IssueDate, true, now)
	expiry(f, "id_doc.expiry_date", &d.ExpiryDate, issued, now)
	d.Issuer = text(f, "id_doc.issuer", d.Issuer, false, maxText)
	forbid(f, "id_doc.department_code", &d.DepartmentCode, "a foreign passport has no department code")
}

func forbid(f *fields, field string, s *string, msg string) {
	if *s = strings.TrimSpace(*s); *s != "" {
		f.add(field, "not_applicable", msg)
	}
}

// digitsField strips spaces and hyphens and checks that n digits remain.
func digitsField(f *fields, field, s string, n int, code, msg string) string {
	d := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s))
	switch {
	case d == "":
		f.add(field, "required", "this field is required")
	case len(d) != n || strings.IndexFunc(d, func(r rune) bool { return r < '0' || r > '9' }) >= 0:
		f.add(field, code, msg)
	}
	return d
}

// alnumField checks a document number of min to max Latin letters and digits, upper-cased.
func alnumField(f *fields, field, s string, min, max int) string {
	d := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	switch {
	case d == "":
		f.add(field, "required", "this field is required")
	case len(d) < min || len(d) > max || strings.IndexFunc(d, func(r rune) bool {
		return (r < '0' || r > '9') && (r < 'A' || r > 'Z')
	}) >= 0:
		f.add(field, "number_invalid", "use "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+" Latin letters and digits")
	}
	return d
}
