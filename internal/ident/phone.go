package ident

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneLen bounds what is handed to the phone parser.
const maxPhoneLen = 32

// NormalizePhone turns a Russian mobile number in any common format
// ("+7 916 123-45-67", "8 (916) 1234567", "9161234567", "7 916 123 45 67")
// into E.164, "+79161234567". Only Russian mobiles (+7 9XX XXXXXXX) are
// accepted; Kazakh numbers (+7 6xx, +7 7xx) and all others fail with
// [CodePhoneInvalid].
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fail(CodeRequired)
	}
	if len(s) > maxPhoneLen || !phoneChars(s) {
		return "", fail(CodePhoneInvalid)
	}
	num, err := phonenumbers.Parse(s, "RU")
	if err != nil || !isRussianMobile(num) {
		return "", fail(CodePhoneInvalid)
	}
	return "+7" + strconv.FormatUint(num.GetNationalNumber(), 10), nil
}

// phoneChars reports whether s holds only digits and the punctuation people
// put in phone numbers, with at most a leading plus.
func phoneChars(s string) bool {
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '-', r == '(', r == ')', r == '.':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return true
}

// isRussianMobile reports whether num is +7 followed by ten digits starting with 9.
func isRussianMobile(num *phonenumbers.PhoneNumber) bool {
	if num.GetCountryCode() != 7 || num.GetExtension() != "" || num.GetItalianLeadingZero() {
		return false
	}
	national := strconv.FormatUint(num.GetNationalNumber(), 10)
	return len(national) == 10 && national[0] == '9'
}

// FormatPhone formats an E.164 Russian number for display, "+7 916 123-45-67".
// Any other input is returned unchanged.
func FormatPhone(e164 string) string {
	if len(e164) != 12 || !strings.HasPrefix(e164, "+7") || !isDigits(e164[1:]) {
		return e164
	}
	n := e164[2:]
	return "+7 " + n[0:3] + " " + n[3:6] + "-" + n[6:8] + "-" + n[8:10]
}
