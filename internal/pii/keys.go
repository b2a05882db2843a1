package pii

import (
	"crypto/rand"
	"fmt"
	"sync"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// codeKeyLen is the size of the one-time code HMAC key.
const codeKeyLen = 32

// Keys holds the AEAD keyset that seals personal data, the MAC keyset for
// blind indexes and the key for one-time code hashes. Create it with
// [Generate], [Load] or [LoadOrCreate]; it is safe for concurrent use.
type Keys struct {
	mu         sync.RWMutex // guards aeadHandle and aead, replaced by Rotate
	aeadHandle *keyset.Handle
	aead       tink.AEAD
	macHandle  *keyset.Handle
	mac        tink.MAC
	codeKey    []byte
}

// Generate returns new keys: an AES256-GCM keyset, an HMAC-SHA256 keyset with
// 256-bit tags and a random 32-byte code key.
func Generate() (*Keys, error) {
	ah, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("generate aead keyset: %w", err)
	}
	mh, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("generate mac keyset: %w", err)
	}
	code := make([]byte, codeKeyLen)
	rand.Read(code)
	return newKeys(ah, mh, code)
}

// newKeys builds Keys from keyset handles, checking they hold the right
// primitives.
func newKeys(ah, mh *keyset.Handle, codeKey []byte) (*Keys, error) {
	if len(codeKey) != codeKeyLen {
		return nil, fmt.Errorf("code key has %d bytes, want %d", len(codeKey), codeKeyLen)
	}
	a, err := aead.New(ah)
	if err != nil {
		return nil, fmt.Errorf("aead keyset: %w", err)
	}
	m, err := mac.New(mh)
	if err != nil {
		return nil, fmt.Errorf("mac keyset: %w", err)
	}
	return &Keys{aeadHandle: ah, aead: a, macHandle: mh, mac: m, codeKey: codeKey}, nil
}

// CodeKey returns a copy of the HMAC key for one-time codes (use it as a
// credential.CodeKey).
func (k *Keys) CodeKey() []byte {
	return append([]byte(nil), k.codeKey...)
}

// Rotate adds a new AES256-GCM key and makes it primary: new data is sealed
// with it while older keys still open what they sealed. The blind index
// keyset is not rotated, so indexes stay stable. Rotate changes only memory;
// call [Keys.Write] to persist it.
func (k *Keys) Rotate() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	mgr := keyset.NewManagerFromHandle(k.aeadHandle)
	id, err := mgr.Add(aead.AES256GCMKeyTemplate())
	if err != nil {
		return fmt.Errorf("rotate: add key: %w", err)
	}
	if err := mgr.SetPrimary(id); err != nil {
		return fmt.Errorf("rotate: set primary: %w", err)
	}
	h, err := mgr.Handle()
	if err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	a, err := aead.New(h)
	if err != nil {
		return fmt.Errorf("rotate: %w", err)
	}
	k.aeadHandle, k.aead = h, a
	return nil
}
