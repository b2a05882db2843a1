package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// tokenBytes is the entropy of a token.
const tokenBytes = 32

// NewToken returns 32 random bytes, base64url-encoded without padding, for
// session tokens and links.
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns base64url(SHA-256(token)). Tokens carry 256 bits of
// entropy, so a fast unkeyed hash is enough to store them.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
