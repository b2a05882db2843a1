package signing

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
)

// Algorithms supported for signing.
const (
	ES256 = "ES256"
	RS256 = "RS256"
)

// Parsed is a key ready to use.
type Parsed struct {
	ID        string
	Algorithm string
	Signer    crypto.Signer
	Active    bool
}

// Public returns the key as a public JWK.
func (p *Parsed) Public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: p.Signer.Public(), KeyID: p.ID, Algorithm: p.Algorithm, Use: "sig"}
}

// Manager hands out the active key and the published set, re-reading the store at most once
// per CacheTTL so that a rotation on one node reaches the others quickly.
type Manager struct {
	Store    Store
	Now      func() time.Time
	CacheTTL time.Duration // default 1 minute
	// Retention is how long a retired key stays published: longer than any token it signed.
	Retention time.Duration // default 24h

	mu      sync.Mutex
	keys    []*Parsed
	fetched time.Time
}

// Active returns the newest active key, creating an ES256 key if there is none.
func (m *Manager) Active(ctx context.Context) (*Parsed, error) {
	keys, err := m.Published(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.Active {
			return k, nil
		}
	}
	if _, err := m.Rotate(ctx, ES256); err != nil {
		return nil, err
	}
	return m.Active(ctx)
}

// Published returns every key still published (active first), from the cache when fresh.
func (m *Manager) Published(ctx context.Context) ([]*Parsed, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ttl := m.CacheTTL
	if ttl <= 0 {
		ttl = time.Minute
	}
	if m.keys != nil && m.Now().Sub(m.fetched) < ttl {
		return m.keys, nil
	}
	stored, err := m.Store.PublishedKeys(ctx, m.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	keys := make([]*Parsed, 0, len(stored))
	for _, k := range stored {
		p, err := parse(k)
		if err != nil {
			return nil, err
		}
		keys = append(keys, p)
	}
	m.keys, m.fetched = keys, m.Now()
	return keys, nil
}

// Rotate creates a new active key of alg and retires the others, which stay published for
// the retention period.
func (m *Manager) Rotate(ctx context.Context, alg string) (*Parsed, error) {
	k, err := Generate(alg, m.Now().UTC())
	if err != nil {
		return nil, err
	}
	if err := m.Store.CreateKey(ctx, k); err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	ret := m.Retention
	if ret <= 0 {
		ret = 24 * time.Hour
	}
	now := m.Now().UTC()
	if err := m.Store.RetireKeys(ctx, k.ID, now, now.Add(ret)); err != nil {
		return nil, fmt.Errorf("retire signing keys: %w", err)
	}
	m.mu.Lock()
	m.keys = nil
	m.mu.Unlock()
	return parse(k)
}

// Generate makes a new key of alg.
func Generate(alg string, now time.Time) (*Key, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, fmt.Errorf("unsupported signing algorithm %q (want ES256 or RS256)", alg)
	}
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return &Key{ID: uuid.Must(uuid.NewV7()).String(), Algorithm: alg, Private: der, CreatedAt: now}, nil
}

func parse(k *Key) (*Parsed, error) {
	priv, err := x509.ParsePKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, fmt.Errorf("parse signing key %s: %w", k.ID, err)
	}
	s, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signing key %s is not a signer", k.ID)
	}
	return &Parsed{ID: k.ID, Algorithm: k.Algorithm, Signer: s, Active: k.RetiredAt.IsZero()}, nil
}
