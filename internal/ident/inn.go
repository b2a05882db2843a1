package ident

import "strings"

var (
	innWeights10 = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights11 = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innWeights12 = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

// NormalizeINN validates a taxpayer number: 10 digits for a legal entity or
// 12 for an individual, with check digits. Surrounding spaces are trimmed. A
// wrong shape fails with [CodeINNInvalid], wrong check digits with
// [CodeINNChecksum].
func NormalizeINN(s string) (string, error) {
	d := strings.TrimSpace(s)
	if d == "" {
		return "", fail(CodeRequired)
	}
	if (len(d) != 10 && len(d) != 12) || !isDigits(d) {
		return "", fail(CodeINNInvalid)
	}
	if !innChecksumOK(d) {
		return "", fail(CodeINNChecksum)
	}
	return d, nil
}

// innChecksumOK checks the trailing check digits of a 10- or 12-digit INN.
func innChecksumOK(d string) bool {
	if len(d) == 10 {
		return innCheck(d, innWeights10) == digitAt(d, 9)
	}
	return innCheck(d, innWeights11) == digitAt(d, 10) &&
		innCheck(d, innWeights12) == digitAt(d, 11)
}

// innCheck computes (Σ weights·digits mod 11) mod 10.
func innCheck(d string, weights []int) int {
	return weightedSum(d, weights) % 11 % 10
}
