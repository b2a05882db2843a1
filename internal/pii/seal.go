package pii

import (
	"encoding/base64"
	"fmt"
)

// Seal encrypts plaintext with the primary AEAD key, binding it to aad (for
// example the table, column and row id, so a ciphertext cannot be moved).
func (k *Keys) Seal(plaintext, aad []byte) ([]byte, error) {
	k.mu.RLock()
	a := k.aead
	k.mu.RUnlock()
	c, err := a.Encrypt(plaintext, aad)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return c, nil
}

// Open decrypts a ciphertext made by Seal with the same aad, using whichever
// key of the keyset sealed it.
func (k *Keys) Open(ciphertext, aad []byte) ([]byte, error) {
	k.mu.RLock()
	a := k.aead
	k.mu.RUnlock()
	p, err := a.Decrypt(ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	return p, nil
}

// SealString seals s; the empty string seals to nil, so absent values stay
// NULL in storage.
func (k *Keys) SealString(s string, aad string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	return k.Seal([]byte(s), []byte(aad))
}

// OpenString opens a ciphertext made by SealString; nil or empty opens to "".
func (k *Keys) OpenString(c []byte, aad string) (string, error) {
	if len(c) == 0 {
		return "", nil
	}
	p, err := k.Open(c, []byte(aad))
	return string(p), err
}

// BlindIndex returns base64url(MAC(kind + "\x00" + normalized)) with the
// primary blind index key. It is deterministic and stable across restarts,
// so equal normalised values of one kind ("snils", "phone", ...) get equal
// indexes, and values of different kinds never collide.
func (k *Keys) BlindIndex(kind, normalized string) string {
	tag, err := k.mac.ComputeMAC([]byte(kind + "\x00" + normalized))
	if err != nil {
		// HMAC over a keyset checked when Keys was built cannot fail.
		panic("pii: blind index: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(tag)
}
