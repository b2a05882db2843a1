package pow

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"math/bits"
	"strconv"
	"strings"
)

// payload is the signed content of a challenge, written as "v1.id.purpose.key.bits.expires"
// followed by ".mac". Purposes are plain names (letters, digits, underscores).
type payload struct {
	ID, Purpose, Key string
	Bits             int
	Expires          int64
}

func (p payload) text() string {
	return strings.Join([]string{"v1", p.ID, p.Purpose, p.Key, strconv.Itoa(p.Bits), strconv.FormatInt(p.Expires, 10)}, ".")
}

func (p payload) sign(key []byte) string {
	t := p.text()
	return t + "." + mac(key, t)
}

func mac(key []byte, text string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("challenge\x00" + text))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parse checks the signature of a challenge string and reads it.
func parse(key []byte, s string) (payload, bool) {
	if len(s) > 512 {
		return payload{}, false
	}
	i := strings.LastIndexByte(s, '.')
	if i < 0 || !hmac.Equal([]byte(s[i+1:]), []byte(mac(key, s[:i]))) {
		return payload{}, false
	}
	f := strings.Split(s[:i], ".")
	if len(f) != 6 || f[0] != "v1" {
		return payload{}, false
	}
	b, err1 := strconv.Atoi(f[4])
	exp, err2 := strconv.ParseInt(f[5], 10, 64)
	if err1 != nil || err2 != nil || b < 0 || b > 64 {
		return payload{}, false
	}
	return payload{ID: f[1], Purpose: f[2], Key: f[3], Bits: b, Expires: exp}, true
}

// Hash is SHA-256(challenge || nonce).
func Hash(challenge, nonce string) [32]byte {
	return sha256.Sum256([]byte(challenge + nonce))
}

// LeadingZeroBits counts the zero bits at the start of h.
func LeadingZeroBits(h [32]byte) int {
	n := 0
	for _, b := range h {
		if b != 0 {
			return n + bits.LeadingZeros8(b)
		}
		n += 8
	}
	return n
}

// Solve finds a nonce for c by counting up from 0 (what the page's script does, for tests and
// command-line clients).
func Solve(c Challenge) Solution {
	for i := 0; ; i++ {
		nonce := strconv.Itoa(i)
		if LeadingZeroBits(Hash(c.Value, nonce)) >= c.Bits {
			return Solution{Challenge: c.Value, Nonce: nonce}
		}
	}
}
