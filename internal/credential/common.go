package credential

import (
	_ "embed"
	"strings"
	"sync"
)

// minStrippedLen is the shortest core, once surrounding digits and special
// characters are stripped, still compared with the list.
const minStrippedLen = 6

// commonPasswordsText is the list of common passwords, lower-case, one per
// line; see COMMON-PASSWORDS-SOURCE.md.
//
//go:embed common-passwords.txt
var commonPasswordsText string

// commonPasswords returns the list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	lines := strings.Split(commonPasswordsText, "\n")
	set := make(map[string]struct{}, len(lines))
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			set[l] = struct{}{}
		}
	}
	return set
})

// isCommon reports whether pw, lower-cased, is on the list, or is a listed
// word of at least 6 characters decorated with leading or trailing digits and
// special characters ("Password123!").
func isCommon(pw string) bool {
	set := commonPasswords()
	lower := strings.ToLower(pw)
	if _, ok := set[lower]; ok {
		return true
	}
	core := strings.TrimFunc(lower, asciiRune(isDecoration))
	if len(core) < minStrippedLen {
		return false
	}
	_, ok := set[core]
	return ok
}

// isDecoration reports digits and special characters.
func isDecoration(c byte) bool {
	return isDigit(c) || isSpecial(c)
}
