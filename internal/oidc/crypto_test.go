package oidc

import (
	"strings"
	"testing"
)

func TestTokenCrypto(t *testing.T) {
	c, err := newTokenCrypto([32]byte{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Encrypt("token-id:subject")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Decrypt(tok); err != nil || got != "token-id:subject" {
		t.Fatalf("Decrypt(Encrypt(x)) = %q, %v", got, err)
	}
	other, _ := newTokenCrypto([32]byte{9})
	for name, bad := range map[string]string{
		"other key": tok, "no prefix": strings.TrimPrefix(tok, tokenPrefix), "truncated": tok[:20],
		"tampered": tok[:len(tok)-2] + "AA", "empty": "",
	} {
		dec := c
		if name == "other key" {
			dec = other
		}
		if _, err := dec.Decrypt(bad); err == nil {
			t.Errorf("%s: Decrypt accepted %q", name, bad)
		}
	}
}
