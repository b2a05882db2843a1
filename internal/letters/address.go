package letters

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civis-id/civis/internal/flow"
)

// Field limits of an address.
const (
	maxText  = 200 // region, city, street
	maxHouse = 20  // house, flat
)

// Normalize trims the fields and checks them: a 6-digit postcode, region, city, street and
// house required, flat optional, no control characters. It returns a validation_failed
// *flow.ValidationError naming every bad field.
func (a *Address) Normalize() error {
	var fields []flow.FieldError
	bad := func(field, code, msg string) {
		fields = append(fields, flow.FieldError{Field: field, Code: code, Message: msg})
	}
	a.Postcode = strings.Join(strings.Fields(a.Postcode), "")
	switch {
	case a.Postcode == "":
		bad("postcode", "required", "this field is required")
	case len(a.Postcode) != 6 || strings.Trim(a.Postcode, "0123456789") != "":
		bad("postcode", "postcode_invalid", "a Russian postcode is 6 digits")
	}
	for _, f := range []struct {
		name     string
		v        *string
		required bool
		max      int
	}{
		{"region", &a.Region, true, maxText},
		{"city", &a.City, true, maxText},
		{"street", &a.Street, true, maxText},
		{"house", &a.House, true, maxHouse},
		{"flat", &a.Flat, false, maxHouse},
	} {
		*f.v = strings.Join(strings.Fields(*f.v), " ")
		switch {
		case *f.v == "" && f.required:
			bad(f.name, "required", "this field is required")
		case utf8.RuneCountInString(*f.v) > f.max:
			bad(f.name, "too_long", "at most "+strconv.Itoa(f.max)+" characters")
		case !printable(*f.v):
			bad(f.name, "invalid_characters", "letters, digits and punctuation only")
		}
	}
	if len(fields) > 0 {
		return &flow.ValidationError{Code: "validation_failed", Fields: fields}
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// Lines is the address as printed on an envelope, in Russian Post's order.
func (a Address) Lines() []string {
	street := a.Street + ", д. " + a.House
	if a.Flat != "" {
		street += ", кв. " + a.Flat
	}
	return []string{street, a.City, a.Region, a.Postcode}
}
