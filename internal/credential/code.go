package credential

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
)

// maxCodeDigits keeps 10^digits within an int64.
const maxCodeDigits = 18

// NewNumericCode returns a uniformly random code of the given number of
// decimal digits (1..18) from crypto/rand, keeping leading zeros.
func NewNumericCode(digits int) (string, error) {
	if digits < 1 || digits > maxCodeDigits {
		return "", fmt.Errorf("code length %d not in 1..%d", digits, maxCodeDigits)
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return "", fmt.Errorf("new numeric code: %w", err)
	}
	return fmt.Sprintf("%0*d", digits, n.Int64()), nil
}

// CodeKey is an HMAC-SHA256 key for storing one-time codes as keyed hashes.
type CodeKey []byte

// Hash returns base64url(HMAC-SHA256(k, scope + "\x00" + code)). The scope
// binds the code to one flow and channel, so a code cannot be replayed
// elsewhere.
func (k CodeKey) Hash(scope, code string) string {
	return base64.RawURLEncoding.EncodeToString(k.mac(scope, code))
}

// Equal reports, in constant time, whether hash is k.Hash(scope, code).
func (k CodeKey) Equal(scope, code, hash string) bool {
	return hmac.Equal([]byte(hash), []byte(k.Hash(scope, code)))
}

func (k CodeKey) mac(scope, code string) []byte {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}
