package registry

import "strings"

// Field error codes of [ParseDocument], for API field errors.
const (
	CodeTypeInvalid         = "type_invalid"          // not RF_PASSPORT or FRGN_PASS
	CodeSeriesInvalid       = "series_invalid"        // RF passport: not 4 digits; foreign: over 20 letters and digits
	CodeNumberInvalid       = "number_invalid"        // RF passport: not 6 digits; foreign: not 1-30 Latin letters and digits
	CodeDivisionCodeInvalid = "division_code_invalid" // not NNN-NNN (RF passport) or not empty (foreign)
	CodeIssueDateInvalid    = "issue_date_invalid"    // missing (RF passport) or before the passport existed
	CodeExpiryDateInvalid   = "expiry_date_invalid"   // set on an RF passport, or not after the issue date
	CodeCountryInvalid      = "country_invalid"       // not an ISO 3166-1 alpha-3 country (foreign) or not RUS/empty (RF)
	CodeIssuerInvalid       = "issuer_invalid"        // control characters, or over 250 characters
)

// FieldError is one wrong field of a document: Field is its JSON name
// ("series", "division_code", ...), Code one of the Code constants.
type FieldError struct {
	Field string
	Code  string
}

// DocumentError lists every wrong field of a document. Its text names codes,
// never values.
type DocumentError struct {
	Fields []FieldError
}

// Error returns "invalid document: series_invalid, number_invalid".
func (e *DocumentError) Error() string {
	codes := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		codes[i] = f.Code
	}
	return "invalid document: " + strings.Join(codes, ", ")
}

// add records a wrong field.
func (e *DocumentError) add(field, code string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code})
}
