package proofing

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Validation of the documents and data that no registry checks.

const maxVehicles = 20

// cyrillic maps the Latin letters that look like the Cyrillic ones used on plates and in
// document series to those Cyrillic letters.
var cyrillic = strings.NewReplacer("A", "А", "B", "В", "E", "Е", "K", "К", "M", "М", "H", "Н",
	"O", "О", "P", "Р", "C", "С", "T", "Т", "Y", "У", "X", "Х")

var (
	// Plates: a car (А123ВС77), a motorcycle (1234АВ77) or a trailer (АВ123477); region 2-3 digits.
	plateRE     = regexp.MustCompile(`^([АВЕКМНОРСТУХ]\d{3}[АВЕКМНОРСТУХ]{2}|\d{4}[АВЕКМНОРСТУХ]{2}|[АВЕКМНОРСТУХ]{2}\d{4})\d{2,3}$`)
	docSeriesRE = regexp.MustCompile(`^\d{2}(\d{2}|[А-ЯЁ]{2})$`) // driving licence, vehicle registration
	militaryRE  = regexp.MustCompile(`^[А-ЯЁ]{2}$`)
)

// upperCyrillic upper-cases s, removes spaces and hyphens and maps look-alike Latin letters.
func upperCyrillic(s string) string {
	return cyrillic.Replace(strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s)))
}

func patternField(f *fields, field, s string, re *regexp.Regexp, code, msg string) string {
	s = upperCyrillic(strings.TrimSpace(s))
	switch {
	case s == "":
		f.add(field, "required", "this field is required")
	case !re.MatchString(s):
		f.add(field, code, msg)
	}
	return s
}

func normDriversLicence(f *fields, d *DriversLicence, now time.Time) {
	const p = "drivers_licence."
	d.Series = patternField(f, p+"series", d.Series, docSeriesRE, "series_invalid",
		"the series is 4 characters: 2 digits and 2 digits or Cyrillic letters")
	d.Number = digitsField(f, p+"number", d.Number, 6, "number_invalid", "the number is 6 digits")
	issued, _ := pastDate(f, p+"issue_date", &d.IssueDate, true, now)
	expiry(f, p+"expiry_date", &d.ExpiryDate, issued, now)
}

func normMedicalPolicy(f *fields, m *MedicalPolicy) {
	m.Number = digitsField(f, "medical_policy.number", m.Number, 16, "number_invalid",
		"the single policy number is 16 digits")
}

func normInternationalPassport(f *fields, d *InternationalPassport, now time.Time) {
	const p = "international_passport."
	d.Series = digitsField(f, p+"series", d.Series, 2, "series_invalid", "the series is 2 digits")
	d.Number = digitsField(f, p+"number", d.Number, 7, "number_invalid", "the number is 7 digits")
	issued, _ := pastDate(f, p+"issue_date", &d.IssueDate, true, now)
	expiry(f, p+"expiry_date", &d.ExpiryDate, issued, now)
	d.Issuer = text(f, p+"issuer", d.Issuer, false, maxText)
}

func normMilitaryID(f *fields, d *MilitaryID, now time.Time) {
	const p = "military_id."
	d.Series = patternField(f, p+"series", d.Series, militaryRE, "series_invalid", "the series is 2 Cyrillic letters")
	d.Number = digitsField(f, p+"number", d.Number, 7, "number_invalid", "the number is 7 digits")
	pastDate(f, p+"issue_date", &d.IssueDate, true, now)
	d.Issuer = text(f, p+"issuer", d.Issuer, false, maxText)
}

func normVehicles(f *fields, vs []Vehicle) {
	if len(vs) > maxVehicles {
		f.add("vehicles", "too_many", "at most "+strconv.Itoa(maxVehicles)+" vehicles")
		return
	}
	seen := map[string]bool{}
	for i := range vs {
		p := "vehicles[" + strconv.Itoa(i) + "]."
		v := &vs[i]
		v.Plate = patternField(f, p+"plate", v.Plate, plateRE, "plate_invalid",
			"a Russian registration plate, such as А123ВС77")
		if seen[v.Plate] && v.Plate != "" {
			f.add(p+"plate", "duplicate", "this plate is listed twice")
		}
		seen[v.Plate] = true
		v.RegCertSeries = patternField(f, p+"reg_cert_series", v.RegCertSeries, docSeriesRE, "series_invalid",
			"the series is 4 characters: 2 digits and 2 digits or Cyrillic letters")
		v.RegCertNumber = digitsField(f, p+"reg_cert_number", v.RegCertNumber, 6, "number_invalid", "the number is 6 digits")
	}
}

func normAddress(f *fields, prefix string, a *Address) {
	p := prefix + "."
	a.Country = country(f, p+"country", a.Country, false)
	if a.Country == "" {
		a.Country = "RUS"
	}
	a.ZipCode = strings.TrimSpace(a.ZipCode)
	if a.Country == "RUS" {
		a.ZipCode = digitsField(f, p+"zip_code", a.ZipCode, 6, "zip_code_invalid", "a Russian postal code is 6 digits")
	} else {
		a.ZipCode = text(f, p+"zip_code", a.ZipCode, false, 12)
	}
	a.Region = text(f, p+"region", a.Region, true, maxText)
	a.City = text(f, p+"city", a.City, true, maxText)
	a.Street = text(f, p+"street", a.Street, false, maxText)
	a.House = text(f, p+"house", a.House, true, 20)
	a.Flat = text(f, p+"flat", a.Flat, false, 20)
}

// Formatted is the address on one line, for the OIDC address claim.
func (a *Address) Formatted() string {
	var parts []string
	for _, s := range []string{a.ZipCode, a.Region, a.City, a.Street, a.House} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if a.Flat != "" {
		parts = append(parts, "кв. "+a.Flat)
	}
	return strings.Join(parts, ", ")
}
