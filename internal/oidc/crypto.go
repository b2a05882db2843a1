package oidc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
)

// tokenCrypto seals the opaque access tokens ("<token id>:<subject>") with AES-256-GCM. The
// cipher is built once: the library's default re-parses a JWE with key wrapping on every
// request, which cost more than the database lookup behind the token.
type tokenCrypto struct{ aead cipher.AEAD }

const tokenPrefix = "ct1."

func newTokenCrypto(key [32]byte) (*tokenCrypto, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &tokenCrypto{aead: aead}, nil
}

// Encrypt implements op.Crypto.
func (c *tokenCrypto) Encrypt(s string) (string, error) {
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(s)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := c.aead.Seal(nonce, nonce, []byte(s), []byte(tokenPrefix))
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(sealed), nil
}

var errBadToken = errors.New("malformed access token")

// Decrypt implements op.Crypto.
func (c *tokenCrypto) Decrypt(s string) (string, error) {
	raw, ok := strings.CutPrefix(s, tokenPrefix)
	if !ok {
		return "", errBadToken
	}
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(sealed) < c.aead.NonceSize()+c.aead.Overhead() {
		return "", errBadToken
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, sealed[:n], sealed[n:], []byte(tokenPrefix))
	if err != nil {
		return "", errBadToken
	}
	return string(plain), nil
}
