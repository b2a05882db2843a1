package credential

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Hasher hashes and verifies passwords with argon2id. At most maxConcurrent
// computations run at once, so a login flood queues instead of exhausting
// memory. It is safe for concurrent use.
type Hasher struct {
	params  Params
	err     error         // result of params.Validate
	sem     chan struct{} // one token per running computation
	waiting atomic.Int64
	dummy   func() string
}

// NewHasher returns a Hasher producing hashes with p and running at most
// maxConcurrent computations at once; maxConcurrent <= 0 means
// runtime.GOMAXPROCS(0). Invalid parameters make Hash fail.
func NewHasher(p Params, maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	h := &Hasher{params: p, err: p.Validate(), sem: make(chan struct{}, maxConcurrent)}
	h.dummy = sync.OnceValue(h.dummyHash)
	return h
}

// Hash returns the PHC string of password with a fresh random salt. It waits
// for a free slot and returns ctx.Err() when ctx ends first.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if h.err != nil {
		return "", fmt.Errorf("hash password: %w", h.err)
	}
	salt := make([]byte, h.params.SaltLen)
	rand.Read(salt)
	key, err := h.derive(ctx, password, salt, h.params)
	if err != nil {
		return "", err
	}
	return phc{params: h.params, salt: salt, key: key}.encode(), nil
}

// Verify reports whether password matches the PHC string encoded, comparing
// in constant time. needsRehash is true when the password matches but encoded
// was made with parameters other than h's. A malformed hash is an error,
// and so is ctx ending before a slot frees (ctx.Err()).
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, needsRehash bool, err error) {
	stored, err := parsePHC(encoded)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	key, err := h.derive(ctx, password, stored.salt, stored.params)
	if err != nil {
		return false, false, err
	}
	ok = subtle.ConstantTimeCompare(key, stored.key) == 1
	return ok, ok && stored.params != h.params, nil
}

// VerifyDummy costs as much as a real Verify and always fails; call it for
// unknown logins so response times do not reveal which logins exist.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	_, _, _ = h.Verify(ctx, password, h.dummy())
}

// dummyHash builds, once, a PHC string with h's parameters and random salt
// and key: verifying against it costs exactly what a real hash costs.
func (h *Hasher) dummyHash() string {
	p := h.params
	if p.Validate() != nil {
		p = DefaultParams()
	}
	salt, key := make([]byte, p.SaltLen), make([]byte, p.KeyLen)
	rand.Read(salt)
	rand.Read(key)
	return phc{params: p, salt: salt, key: key}.encode()
}

// Unusable returns a fresh PHC string with h's parameters and a random salt and key: no
// password matches it, so an account created with it cannot be signed in to until a real
// password is set (through an activation link), and verifying against it costs what a real
// hash costs. It is cheap to make: nothing is derived.
func (h *Hasher) Unusable() string { return h.dummyHash() }

// derive runs argon2id in a semaphore slot.
func (h *Hasher) derive(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-h.sem }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// acquire takes a slot, waiting until one is free or ctx ends.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	default:
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// InFlight returns the number of argon2id computations running now.
func (h *Hasher) InFlight() int {
	return len(h.sem)
}

// Waiting returns the number of callers waiting for a free slot.
func (h *Hasher) Waiting() int {
	return int(h.waiting.Load())
}
