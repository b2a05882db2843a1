package ident

import (
	"strconv"
	"strings"
)

// lastUncheckedSNILS is the highest 9-digit SNILS body issued before check
// digits were introduced; such numbers are accepted without a check.
const lastUncheckedSNILS = 1001998

var snilsWeights = []int{9, 8, 7, 6, 5, 4, 3, 2, 1}

// NormalizeSNILS accepts a SNILS with or without separators
// ("112-233-445 95", "11223344595", "112 233 445 95") and returns its 11
// digits. A wrong shape fails with [CodeSNILSInvalid], wrong check digits
// with [CodeSNILSChecksum].
func NormalizeSNILS(s string) (string, error) {
	d := stripSeparators(strings.TrimSpace(s))
	if d == "" {
		return "", fail(CodeRequired)
	}
	if len(d) != 11 || !isDigits(d) {
		return "", fail(CodeSNILSInvalid)
	}
	if !snilsChecksumOK(d) {
		return "", fail(CodeSNILSChecksum)
	}
	return d, nil
}

// snilsChecksumOK checks the last two digits of an 11-digit SNILS.
func snilsChecksumOK(d string) bool {
	body, _ := strconv.Atoi(d[:9])
	if body <= lastUncheckedSNILS {
		return true
	}
	check := weightedSum(d, snilsWeights) % 101 % 100
	return d[9:] == twoDigits(check)
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// FormatSNILS formats 11 SNILS digits for display, "112-233-445 95".
// Any other input is returned unchanged.
func FormatSNILS(digits string) string {
	if len(digits) != 11 || !isDigits(digits) {
		return digits
	}
	return digits[0:3] + "-" + digits[3:6] + "-" + digits[6:9] + " " + digits[9:11]
}
