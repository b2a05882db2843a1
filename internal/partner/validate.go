package partner

import (
	"errors"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/proofing"
)

// The partner API's flat field names for the profile's JSON paths that proofing validates;
// the paths not listed (citizenship, document type) have no field in the partner API.
var fieldNames = map[string]string{
	"snils":                  "snils",
	"personal.last_name":     "last_name",
	"personal.first_name":    "first_name",
	"personal.middle_name":   "middle_name",
	"personal.birth_date":    "birth_date",
	"personal.gender":        "gender",
	"personal.birth_place":   "birth_place",
	"id_doc.series":          "passport_series",
	"id_doc.number":          "passport_number",
	"id_doc.issue_date":      "passport_issue_date",
	"id_doc.issuer":          "passport_issuer",
	"id_doc.department_code": "passport_department_code",
}

// Placeholders stand in for the profile fields a confirmation does not carry, so that
// proofing's validation can run; their field errors are dropped.
const (
	placeholderText = "-"
	placeholderDate = "2010-01-01"
	placeholderCode = "770-001"
)

// normalize validates p (and, when r is not nil, the rest of a registration) with the rules
// of the citizen's own profile, and rewrites the values into their stored form: SNILS as 11
// digits, passport series and number as digits, the phone in E.164, names with single spaces.
func normalize(requestID string, p *Person, r *Registration, now time.Time) error {
	if !ledger.ValidID(requestID) {
		return ledger.ErrInvalidID
	}
	personal := proofing.Personal{LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName,
		Gender: "M", BirthDate: proofing.Date(p.BirthDate), BirthPlace: placeholderText, Citizenship: "RUS"}
	doc := proofing.IDDocument{Type: proofing.RFPassport, Series: p.PassportSeries, Number: p.PassportNumber,
		IssueDate: placeholderDate, Issuer: placeholderText, DepartmentCode: placeholderCode}
	given := map[string]bool{"snils": true, "last_name": true, "first_name": true, "middle_name": true,
		"birth_date": true, "passport_series": true, "passport_number": true}
	if r != nil {
		personal.Gender, personal.BirthPlace = r.Gender, r.BirthPlace
		doc.IssueDate, doc.Issuer, doc.DepartmentCode = proofing.Date(r.PassportIssueDate), r.PassportIssuer, r.PassportDepartmentCode
		for _, f := range []string{"gender", "birth_place", "passport_issue_date", "passport_issuer", "passport_department_code"} {
			given[f] = true
		}
	}
	snils := p.SNILS
	patch := proofing.Patch{Personal: &personal, SNILS: &snils, IDDoc: &doc}
	var fields []flow.FieldError
	var pe *proofing.Error
	if err := patch.Normalize(now); errors.As(err, &pe) {
		for _, f := range pe.Fields {
			if name := fieldNames[f.Field]; name != "" && given[name] {
				fields = append(fields, flow.FieldError{Field: name, Code: f.Code, Message: f.Message})
			}
		}
	} else if err != nil {
		return err
	}
	p.SNILS, p.LastName, p.FirstName, p.MiddleName = snils, personal.LastName, personal.FirstName, personal.MiddleName
	p.BirthDate, p.PassportSeries, p.PassportNumber = string(personal.BirthDate), doc.Series, doc.Number
	p.Phone = contact(&fields, "phone", p.Phone, r != nil, ident.NormalizePhone)
	if r != nil {
		r.Person = *p
		r.Gender, r.BirthPlace = personal.Gender, personal.BirthPlace
		r.PassportIssueDate, r.PassportIssuer, r.PassportDepartmentCode = string(doc.IssueDate), doc.Issuer, doc.DepartmentCode
		r.Email = contact(&fields, "email", r.Email, false, ident.NormalizeEmail)
	}
	if len(fields) > 0 {
		return &flow.ValidationError{Code: CodeValidationFailed, Fields: fields}
	}
	return nil
}

// contact normalizes a phone or an email.
func contact(fields *[]flow.FieldError, field, s string, required bool, norm func(string) (string, error)) string {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			*fields = append(*fields, flow.FieldError{Field: field, Code: ident.CodeRequired, Message: "this field is required"})
		}
		return ""
	}
	v, err := norm(s)
	if err != nil {
		code := "invalid"
		var ie *ident.Error
		if errors.As(err, &ie) {
			code = ie.Code
		}
		*fields = append(*fields, flow.FieldError{Field: field, Code: code, Message: err.Error()})
		return ""
	}
	return v
}
