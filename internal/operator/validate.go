package operator

import (
	"errors"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/proofing"
)

// enrollee is a validated RegisterInput: normalized contacts and the profile patch.
type enrollee struct {
	RegisterInput
	patch proofing.Patch
}

// normalize validates a registration with the proofing rules (names, personal data, SNILS,
// passport) and the ident rules (phone, email), returning every field problem at once.
func normalize(in RegisterInput, now time.Time) (*enrollee, error) {
	var f fields
	e := &enrollee{RegisterInput: in}
	normContacts(&f, &e.RegisterInput)
	switch e.Activation {
	case "":
		e.Activation = ActivationPassword
	case ActivationPassword, ActivationLink:
	default:
		f.add("activation", "invalid_choice", "must be password or link")
	}
	per := proofing.Personal{LastName: in.LastName, FirstName: in.FirstName, MiddleName: in.MiddleName,
		Gender: gender(in.Gender), BirthDate: proofing.Date(in.BirthDate), BirthPlace: in.BirthPlace,
		Citizenship: in.Citizenship}
	if strings.TrimSpace(per.Citizenship) == "" {
		per.Citizenship = "RUS"
	}
	snils := in.SNILS
	doc := proofing.IDDocument{Type: proofing.RFPassport, Series: in.Passport.Series, Number: in.Passport.Number,
		IssueDate: proofing.Date(in.Passport.IssueDate), Issuer: in.Passport.Issuer,
		DepartmentCode: in.Passport.DepartmentCode}
	e.patch = proofing.Patch{Personal: &per, SNILS: &snils, IDDoc: &doc}
	if err := e.patch.Normalize(now); err != nil {
		addProofing(&f, err)
	}
	e.LastName, e.FirstName, e.MiddleName = per.LastName, per.FirstName, per.MiddleName
	e.Gender, e.BirthDate, e.BirthPlace, e.Citizenship = per.Gender, string(per.BirthDate), per.BirthPlace, per.Citizenship
	e.SNILS = snils
	e.Passport = Passport{Series: doc.Series, Number: doc.Number, IssueDate: string(doc.IssueDate),
		Issuer: doc.Issuer, DepartmentCode: doc.DepartmentCode}
	return e, f.err()
}

func normContacts(f *fields, in *RegisterInput) {
	in.Phone, in.Email = strings.TrimSpace(in.Phone), strings.TrimSpace(in.Email)
	if in.Phone == "" && in.Email == "" {
		f.add("phone", "required", "enter a mobile phone or an email")
	}
	if in.Phone != "" {
		in.Phone = normIdent(f, "phone", in.Phone, ident.NormalizePhone)
	}
	if in.Email != "" {
		in.Email = normIdent(f, "email", in.Email, ident.NormalizeEmail)
	}
}

func normIdent(f *fields, field, v string, norm func(string) (string, error)) string {
	n, err := norm(v)
	if err != nil {
		var ie *ident.Error
		if errors.As(err, &ie) {
			f.add(field, ie.Code, ie.Error())
		} else {
			f.add(field, "invalid", "not a valid value")
		}
		return v
	}
	return n
}

// gender accepts male/female as well as the profile's M/F.
func gender(g string) string {
	switch strings.ToLower(strings.TrimSpace(g)) {
	case "male", "m":
		return "M"
	case "female", "f":
		return "F"
	}
	return g
}

// addProofing adds a proofing validation error's fields under the operator API's names:
// "personal.last_name" is "last_name", "id_doc.series" is "passport.series".
func addProofing(f *fields, err error) bool {
	var pe *proofing.Error
	if !errors.As(err, &pe) || len(pe.Fields) == 0 {
		return false
	}
	for _, x := range pe.Fields {
		name := x.Field
		switch {
		case strings.HasPrefix(name, "personal."):
			name = strings.TrimPrefix(name, "personal.")
		case name == "personal":
			name = "last_name"
		case strings.HasPrefix(name, "id_doc."):
			name = "passport." + strings.TrimPrefix(name, "id_doc.")
		case name == "id_doc":
			name = "passport"
		}
		f.add(name, x.Code, x.Message)
	}
	return true
}

// passportDigits reads a re-typed passport number: 6 digits (the number) or 10 (series and
// number), with any spaces or hyphens.
func passportDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '-' || r == '№' {
			return -1
		}
		return 'x'
	}, strings.TrimSpace(s))
}
