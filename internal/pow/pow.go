package pow

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/store"
)

// Algorithm is the hash the client must use.
const Algorithm = "SHA-256"

// Challenge is what a client must solve. Value is opaque to the client: it hashes it as is.
type Challenge struct {
	Value     string    `json:"challenge"`
	Bits      int       `json:"difficulty"` // leading zero bits of SHA-256(challenge || nonce)
	Algorithm string    `json:"algorithm"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Solution is a solved challenge: the challenge string and the nonce found (a decimal or any
// printable string of at most 64 characters).
type Solution struct {
	Challenge string `json:"challenge"`
	Nonce     string `json:"nonce"`
}

// Errors of Verify. Any of them means: ask the client for a new challenge.
var (
	ErrMissing  = errors.New("proof of work missing")
	ErrInvalid  = errors.New("proof of work invalid")
	ErrExpired  = errors.New("proof of work expired")
	ErrTooEasy  = errors.New("proof of work below the required difficulty")
	ErrReplayed = errors.New("proof of work already used")
)

// Store records solved challenges until they expire.
type Store interface {
	// UsePoW records the challenge id; store.ErrConflict if it was recorded before.
	UsePoW(ctx context.Context, id string, expiresAt time.Time) error
	// DeleteExpiredPoW removes up to limit records that expired before now.
	DeleteExpiredPoW(ctx context.Context, now time.Time, limit int) (int, error)
}

// Config sets the cost curve.
type Config struct {
	TTL          time.Duration // how long a challenge can be solved and used
	FreeFailures int           // failures before any work is asked
	BaseBits     int           // difficulty at FreeFailures failures
	MaxBits      int           // difficulty cap: the cost grows, but never without bound
	FailWindow   time.Duration // failures count in this window and the one before it
}

// DefaultConfig is no work below 3 recent failures, then 14 bits plus one per further
// failure, up to 22 bits (about 4 million hashes on average: seconds for a browser).
func DefaultConfig() Config {
	return Config{TTL: 5 * time.Minute, FreeFailures: 3, BaseBits: 14, MaxBits: 22, FailWindow: 30 * time.Minute}
}

// Service issues and verifies challenges.
type Service struct {
	Key      []byte          // HMAC key signing challenges and hashing keys; the same on every node
	Used     Store           // solved challenges
	Counters ratelimit.Store // recent failures per (purpose, key)
	Config   Config
	Now      func() time.Time
}

// BitsFor is the difficulty after n recent failures.
func (c Config) BitsFor(n int) int {
	if n < c.FreeFailures {
		return 0
	}
	return min(c.BaseBits+n-c.FreeFailures, c.MaxBits)
}

// Required is the difficulty asked now for key under purpose (0: no work). When the failure
// count cannot be read it asks for the base difficulty, which a browser solves in a moment.
func (s *Service) Required(ctx context.Context, purpose, key string) (bits int) {
	n, err := s.Failures(ctx, purpose, key)
	if err != nil {
		return s.Config.BaseBits
	}
	return s.Config.BitsFor(n)
}

// Failures counts the recent failures for key under purpose.
func (s *Service) Failures(ctx context.Context, purpose, key string) (int, error) {
	w := s.Config.FailWindow
	cur := s.Now().UTC().Truncate(w)
	k := s.counterKey(purpose, key)
	a, err := s.Counters.Count(ctx, k, cur)
	if err != nil {
		return 0, fmt.Errorf("pow failures: %w", err)
	}
	b, err := s.Counters.Count(ctx, k, cur.Add(-w))
	if err != nil {
		return 0, fmt.Errorf("pow failures: %w", err)
	}
	return a + b, nil
}

// Fail counts one failure for key under purpose, raising the difficulty for what follows.
func (s *Service) Fail(ctx context.Context, purpose, key string) error {
	w := s.Config.FailWindow
	if _, err := s.Counters.Hit(ctx, s.counterKey(purpose, key), s.Now().UTC().Truncate(w), w); err != nil {
		return fmt.Errorf("pow failure: %w", err)
	}
	return nil
}

// Challenge issues a challenge for key under purpose at the difficulty Required asks.
func (s *Service) Challenge(ctx context.Context, purpose, key string) (Challenge, error) {
	return s.ChallengeBits(purpose, key, max(s.Required(ctx, purpose, key), 1))
}

// ChallengeBits issues a challenge of the given difficulty (for callers that combine the
// counts of several keys).
func (s *Service) ChallengeBits(purpose, key string, bits int) (Challenge, error) {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return Challenge{}, fmt.Errorf("pow challenge: %w", err)
	}
	exp := s.Now().UTC().Add(s.Config.TTL).Truncate(time.Second)
	p := payload{ID: base64.RawURLEncoding.EncodeToString(id[:]), Purpose: purpose,
		Key: s.keyHash(purpose, key), Bits: bits, Expires: exp.Unix()}
	return Challenge{Value: p.sign(s.Key), Bits: bits, Algorithm: Algorithm, ExpiresAt: exp}, nil
}

// Verify checks sol against the difficulty Required asks now and records it as used.
func (s *Service) Verify(ctx context.Context, purpose, key string, sol Solution) error {
	return s.VerifyBits(ctx, purpose, key, s.Required(ctx, purpose, key), sol)
}

// VerifyBits checks that sol solves a challenge issued by this service for key under purpose,
// of at least bits difficulty, not expired and not used before, and records it as used.
func (s *Service) VerifyBits(ctx context.Context, purpose, key string, bits int, sol Solution) error {
	if sol.Challenge == "" || sol.Nonce == "" {
		return ErrMissing
	}
	p, ok := parse(s.Key, sol.Challenge)
	if !ok || p.Purpose != purpose || !hmac.Equal([]byte(p.Key), []byte(s.keyHash(purpose, key))) || len(sol.Nonce) > 64 {
		return ErrInvalid
	}
	exp := time.Unix(p.Expires, 0)
	if !s.Now().Before(exp) {
		return ErrExpired
	}
	if p.Bits < bits {
		return ErrTooEasy
	}
	if LeadingZeroBits(Hash(sol.Challenge, sol.Nonce)) < p.Bits {
		return ErrInvalid
	}
	err := s.Used.UsePoW(ctx, p.ID, exp)
	if errors.Is(err, store.ErrConflict) {
		return ErrReplayed
	}
	if err != nil {
		return fmt.Errorf("record pow: %w", err)
	}
	return nil
}

// keyHash keeps identifiers out of challenges and counters.
func (s *Service) keyHash(purpose, key string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("key\x00" + purpose + "\x00" + key))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (s *Service) counterKey(purpose, key string) string {
	return "pow_fail:" + purpose + ":" + s.keyHash(purpose, key)
}
