package signing

import (
	"context"
	"time"
)

// Key is a signing key as stored.
type Key struct {
	ID         string
	Algorithm  string // ES256 or RS256
	Private    []byte // PKCS#8 DER; sealed at rest by the store
	CreatedAt  time.Time
	RetiredAt  time.Time // zero while active
	PublishTil time.Time // zero while active; after retirement: when it leaves the JWKS
}

// Store persists keys.
type Store interface {
	CreateKey(ctx context.Context, k *Key) error
	// PublishedKeys returns keys not yet past PublishTil at now, newest first.
	PublishedKeys(ctx context.Context, now time.Time) ([]*Key, error)
	// RetireKeys retires every active key except keep, publishing them until publishTil.
	RetireKeys(ctx context.Context, keep string, at, publishTil time.Time) error
}
