package letters

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// CodeLen is the number of Crockford base32 characters of a code (5 bits each: 50 bits).
const CodeLen = 10

// alphabet is Crockford's base32 alphabet: the digits and the letters without I, L, O and U.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// maxInput bounds what Normalize reads, so that a long input costs nothing.
const maxInput = 64

// NewCode returns a code of CodeLen characters drawn uniformly from r (crypto/rand in
// production): each byte's low 5 bits pick one character, and 256 is a multiple of 32.
func NewCode(r io.Reader) (string, error) {
	var b [CodeLen]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("new letter code: %w", err)
	}
	out := make([]byte, CodeLen)
	for i, x := range b {
		out[i] = alphabet[x&31]
	}
	return string(out), nil
}

// Format shows a code as XXXXX-XXXXX.
func Format(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:5] + "-" + code[5:]
}

// CodeError says why a typed code cannot be a code.
type CodeError struct {
	Reason string // "length" or "character"
	Char   rune   // the refused character, for "character"
}

// Error says, in English, what is wrong with the typed code.
func (e *CodeError) Error() string {
	if e.Reason == "character" {
		return fmt.Sprintf("the code cannot contain %q", e.Char)
	}
	return fmt.Sprintf("the code is %d characters (letters and digits)", CodeLen)
}

// ErrCodeFormat matches every *CodeError with errors.Is.
var ErrCodeFormat = errors.New("letter code format")

// Is makes errors.Is(err, ErrCodeFormat) true.
func (e *CodeError) Is(target error) bool { return target == ErrCodeFormat }

// lookalikes maps what a citizen may type for a code character: lower case, O for 0, I and L
// for 1 (Crockford's decoding rules), and the Cyrillic letters of a Russian keyboard that look
// like Latin ones.
var lookalikes = map[rune]rune{
	'O': '0', 'I': '1', 'L': '1',
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': '0', 'Р': 'P', 'С': 'C', 'Т': 'T',
	'Х': 'X', 'З': '3',
}

// Normalize reads a typed code: in any case, with or without dashes and spaces, O as 0, I
// and L as 1. It returns the code in its stored form (CodeLen upper-case characters), or a
// *CodeError.
func Normalize(s string) (string, error) {
	if len(s) > maxInput {
		return "", &CodeError{Reason: "length"}
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\t', '\u00a0', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
			continue
		}
		if m, ok := lookalikes[r]; ok {
			r = m
		}
		if r > 127 || !strings.ContainsRune(alphabet, r) {
			return "", &CodeError{Reason: "character", Char: r}
		}
		b.WriteRune(r)
	}
	if b.Len() != CodeLen {
		return "", &CodeError{Reason: "length"}
	}
	return b.String(), nil
}
