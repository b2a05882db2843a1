package rp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/store"
)

// Service registers clients and answers lookups from a short-lived per-node cache: client
// configuration is read on every token request and changes rarely.
type Service struct {
	Store     Store
	SecretKey []byte // HMAC key for client secrets
	Now       func() time.Time
	CacheTTL  time.Duration // default 30s
	// Tx and Data, when set, make Delete also remove the client's tokens and consents in the
	// same transaction.
	Tx   store.Transactor
	Data DataCleaner

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	c   *Client
	exp time.Time
}

// Input is what an administrator gives to register or change a client.
type Input struct {
	ID                     string
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	FrontchannelLogoutURI  string
	Scopes                 []string
	MinLevel               string
	AllowedMethods         []string
	AuthMethod             string
	JWKS                   string
	JWKSURL                string
	SubjectType            string
	Roles                  []string
	CenterID               string // required with the center role
	Dev                    bool
}

// Create validates in and registers a client. For client_secret_* clients it returns the
// secret, which is shown once and stored only as a keyed hash.
func (s *Service) Create(ctx context.Context, in Input) (*Client, string, error) {
	c, err := s.build(in)
	if err != nil {
		return nil, "", err
	}
	secret := ""
	if c.AuthMethod == ClientSecretBasic || c.AuthMethod == ClientSecretPost {
		secret = newSecret()
		c.SecretHash = s.hashSecret(c.ID, secret)
	}
	now := s.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.Store.CreateClient(ctx, c); err != nil {
		return nil, "", fmt.Errorf("create client: %w", err)
	}
	return c, secret, nil
}

// EnsureDev registers a development client with a known secret unless a client with its id
// exists. Only --dev uses it (the demo relying party of examples/rp).
func (s *Service) EnsureDev(ctx context.Context, in Input, secret string) error {
	if _, err := s.Store.GetClient(ctx, in.ID); err == nil {
		return nil
	}
	c, err := s.build(in)
	if err != nil {
		return err
	}
	c.SecretHash = s.hashSecret(c.ID, secret)
	now := s.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	return s.Store.CreateClient(ctx, c)
}

// Get returns the client, from the cache when fresh.
func (s *Service) Get(ctx context.Context, id string) (*Client, error) {
	now := s.Now()
	s.mu.Lock()
	if e, ok := s.cache[id]; ok && now.Before(e.exp) {
		s.mu.Unlock()
		return e.c, nil
	}
	s.mu.Unlock()
	c, err := s.Store.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	ttl := s.CacheTTL
	if ttl <= 0 {
		ttl = 30 * time.Second
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]cached{}
	}
	s.cache[id] = cached{c: c, exp: now.Add(ttl)}
	s.mu.Unlock()
	return c, nil
}

// Delete removes a client and, in the same transaction, every token and consent it holds, so
// that nothing issued to it keeps working.
func (s *Service) Delete(ctx context.Context, id string) error {
	del := func(ctx context.Context) error {
		if err := s.Store.DeleteClient(ctx, id); err != nil {
			return err
		}
		if s.Data != nil {
			return s.Data.DeleteClientData(ctx, id)
		}
		return nil
	}
	var err error
	if s.Tx != nil {
		err = s.Tx.InTx(ctx, del)
	} else {
		err = del(ctx)
	}
	s.Forget(id)
	return err
}

// Forget drops a client from this node's cache (after a change made here).
func (s *Service) Forget(id string) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// VerifySecret reports whether secret is the client's. Secrets are 256-bit random values, so
// a keyed hash is as strong as a slow KDF here and costs microseconds.
func (s *Service) VerifySecret(c *Client, secret string) bool {
	if c.SecretHash == "" || secret == "" {
		return false
	}
	return hmac.Equal([]byte(c.SecretHash), []byte(s.hashSecret(c.ID, secret)))
}

// RotateSecret issues a new secret for a client_secret_* client.
func (s *Service) RotateSecret(ctx context.Context, id string) (string, error) {
	c, err := s.Store.GetClient(ctx, id)
	if err != nil {
		return "", err
	}
	if c.AuthMethod != ClientSecretBasic && c.AuthMethod != ClientSecretPost {
		return "", fmt.Errorf("client %s does not use a secret", id)
	}
	secret := newSecret()
	c.SecretHash, c.UpdatedAt = s.hashSecret(c.ID, secret), s.Now().UTC()
	if err := s.Store.UpdateClient(ctx, c); err != nil {
		return "", err
	}
	s.Forget(id)
	return secret, nil
}

func (s *Service) hashSecret(id, secret string) string {
	m := hmac.New(sha256.New, s.SecretKey)
	m.Write([]byte(id + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func newClientID() string {
	return "c-" + uuid.Must(uuid.NewV7()).String()
}
