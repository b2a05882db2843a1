package ident

// Validation codes carried by [Error.Code].
const (
	CodeRequired      = "required"       // the input is empty
	CodePhoneInvalid  = "phone_invalid"  // not a Russian mobile number
	CodeEmailInvalid  = "email_invalid"  // not a plain email address
	CodeSNILSInvalid  = "snils_invalid"  // not 11 digits
	CodeSNILSChecksum = "snils_checksum" // SNILS check digits do not match
	CodeINNInvalid    = "inn_invalid"    // not 10 or 12 digits
	CodeINNChecksum   = "inn_checksum"   // INN check digits do not match
	CodeOGRNInvalid   = "ogrn_invalid"   // not 13 or 15 digits
	CodeOGRNChecksum  = "ogrn_checksum"  // OGRN/OGRNIP check digit does not match
)

var messages = map[string]string{
	CodeRequired:      "value is required",
	CodePhoneInvalid:  "not a Russian mobile phone number",
	CodeEmailInvalid:  "not a valid email address",
	CodeSNILSInvalid:  "SNILS must have 11 digits",
	CodeSNILSChecksum: "SNILS check digits do not match",
	CodeINNInvalid:    "INN must have 10 or 12 digits",
	CodeINNChecksum:   "INN check digits do not match",
	CodeOGRNInvalid:   "OGRN must have 13 digits, OGRNIP 15",
	CodeOGRNChecksum:  "OGRN check digit does not match",
}

// Error is a validation failure with a stable machine code, used as the
// field error code in APIs.
type Error struct {
	Code string
}

// Error returns a short English message for the code.
func (e *Error) Error() string {
	if m, ok := messages[e.Code]; ok {
		return m
	}
	return "invalid value: " + e.Code
}

func fail(code string) error {
	return &Error{Code: code}
}
