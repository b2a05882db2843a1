package credential

import (
	"strings"
	"unicode/utf8"
)

// Password length bounds, in characters.
const (
	MinPasswordLen = 8   // shortest accepted password
	MaxPasswordLen = 128 // longest accepted password
)

// Password policy violation codes, carried by [Violation.Code].
const (
	CodePasswordTooShort     = "password_too_short"     // fewer than 8 characters
	CodePasswordTooLong      = "password_too_long"      // more than 128 characters
	CodePasswordNeedsLower   = "password_needs_lower"   // no a-z
	CodePasswordNeedsUpper   = "password_needs_upper"   // no A-Z
	CodePasswordNeedsDigit   = "password_needs_digit"   // no 0-9
	CodePasswordNeedsSpecial = "password_needs_special" // no printable ASCII symbol
	CodePasswordTooCommon    = "password_too_common"    // on the common-password list
)

// Violation is one broken rule of the password policy.
type Violation struct {
	Code    string // stable machine code, one of the CodePassword constants
	Message string // English explanation
}

// rule is one character-class requirement.
type rule struct {
	code, message string
	has           func(byte) bool
}

var classRules = []rule{
	{CodePasswordNeedsLower, "must contain a lower-case Latin letter (a-z)", isLower},
	{CodePasswordNeedsUpper, "must contain an upper-case Latin letter (A-Z)", isUpper},
	{CodePasswordNeedsDigit, "must contain a digit (0-9)", isDigit},
	{CodePasswordNeedsSpecial, "must contain a special character such as ! # % or *", isSpecial},
}

// CheckPassword returns every rule pw breaks: length (8 to 128 characters),
// a lower-case and an upper-case Latin letter, a digit, a special character
// (printable ASCII other than letters, digits and space), and not being a
// common password. An empty result means pw is acceptable.
func CheckPassword(pw string) []Violation {
	var vs []Violation
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLen:
		vs = append(vs, Violation{CodePasswordTooShort, "must be at least 8 characters long"})
	case n > MaxPasswordLen:
		vs = append(vs, Violation{CodePasswordTooLong, "must be at most 128 characters long"})
	}
	for _, r := range classRules {
		if !strings.ContainsFunc(pw, asciiRune(r.has)) {
			vs = append(vs, Violation{r.code, r.message})
		}
	}
	if isCommon(pw) {
		vs = append(vs, Violation{CodePasswordTooCommon, "is too common; choose another"})
	}
	return vs
}

// asciiRune lifts a byte class to runes; non-ASCII runes are in no class.
func asciiRune(f func(byte) bool) func(rune) bool {
	return func(r rune) bool { return r < utf8.RuneSelf && f(byte(r)) }
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSpecial reports printable ASCII other than space, letters and digits.
func isSpecial(c byte) bool {
	return c > ' ' && c <= '~' && !isLower(c) && !isUpper(c) && !isDigit(c)
}
