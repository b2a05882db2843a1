package credential

import (
	"crypto/rand"
	"math/big"
)

// generatedLen is the length of a generated password.
const generatedLen = 16

// Character classes for generated passwords, without look-alikes
// (0/O/o, 1/l/I).
const (
	genLower   = "abcdefghijkmnpqrstuvwxyz"
	genUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	genDigits  = "23456789"
	genSpecial = "!#$%&*+-=?@^_"
)

// GeneratePassword returns a random 16-character password that passes
// [CheckPassword]: at least one lower-case, upper-case, digit and special
// character, with no ambiguous characters.
func GeneratePassword() string {
	for {
		if pw := generate(); len(CheckPassword(pw)) == 0 {
			return pw
		}
	}
}

// generate draws one character of each class, fills up from all classes and
// shuffles.
func generate() string {
	classes := []string{genLower, genUpper, genDigits, genSpecial}
	all := genLower + genUpper + genDigits + genSpecial
	b := make([]byte, 0, generatedLen)
	for _, c := range classes {
		b = append(b, c[randIndex(len(c))])
	}
	for len(b) < generatedLen {
		b = append(b, all[randIndex(len(all))])
	}
	for i := len(b) - 1; i > 0; i-- {
		j := randIndex(i + 1)
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// randIndex returns a uniform random integer in [0, n) from crypto/rand.
func randIndex(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		// crypto/rand.Reader does not fail (it crashes the program instead).
		panic("credential: crypto/rand failed: " + err.Error())
	}
	return int(v.Int64())
}
