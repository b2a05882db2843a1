package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/civis-id/civis/internal/rp"
)

// jwksCache keeps clients' fetched key sets for a few minutes.
var jwksCache = struct {
	sync.Mutex
	m map[string]cachedJWKS
}{m: map[string]cachedJWKS{}}

type cachedJWKS struct {
	set jose.JSONWebKeySet
	exp time.Time
}

// clientKeys returns a private_key_jwt client's public keys: inline, or fetched from its
// JWKS URL (cached five minutes).
func (p *Provider) clientKeys(ctx context.Context, c *rp.Client) (*jose.JSONWebKeySet, error) {
	if c.JWKS != "" {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal([]byte(c.JWKS), &set); err != nil {
			return nil, fmt.Errorf("client %s jwks: %w", c.ID, err)
		}
		return &set, nil
	}
	if c.JWKSURL == "" {
		return nil, fmt.Errorf("client %s has no keys", c.ID)
	}
	jwksCache.Lock()
	e, ok := jwksCache.m[c.JWKSURL]
	jwksCache.Unlock()
	if ok && p.Now().Before(e.exp) {
		return &e.set, nil
	}
	set, err := fetchJWKS(ctx, c.JWKSURL)
	if err != nil {
		return nil, err
	}
	jwksCache.Lock()
	jwksCache.m[c.JWKSURL] = cachedJWKS{set: *set, exp: p.Now().Add(5 * time.Minute)}
	jwksCache.Unlock()
	return set, nil
}

// ClientKeys returns a private_key_jwt client's public keys, for the APIs that authenticate
// partner clients with client assertions outside the token endpoint.
func (p *Provider) ClientKeys(ctx context.Context, c *rp.Client) (*jose.JSONWebKeySet, error) {
	return p.clientKeys(ctx, c)
}

func fetchJWKS(ctx context.Context, u string) (*jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch client jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch client jwks: %s", resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("client jwks: %w", err)
	}
	return &set, nil
}
