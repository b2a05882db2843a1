package ident

import "strings"

// isDigits reports whether s is non-empty and made only of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digitAt returns the value of the ASCII digit s[i].
func digitAt(s string, i int) int {
	return int(s[i] - '0')
}

// weightedSum returns Σ weights[i]·digit(s[i]).
func weightedSum(s string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += w * digitAt(s, i)
	}
	return sum
}

// modDigits returns the decimal number written in s modulo m.
func modDigits(s string, m int) int {
	r := 0
	for i := range len(s) {
		r = (r*10 + digitAt(s, i)) % m
	}
	return r
}

// stripSeparators removes spaces and hyphens.
func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}
