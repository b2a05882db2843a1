package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/netip"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/ratelimit/redislimit"
)

// wireSignIn builds what the sign-in path needs beyond the password: the rate-limit counters
// (in Redis when --redis-url is set), second factors and passkeys, and the proof of work.
func (a *App) wireSignIn() error {
	cfg := a.Config
	var counters ratelimit.Store = a.DB
	if cfg.RedisURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		rs, err := redislimit.Open(ctx, cfg.RedisURL)
		if err != nil {
			return err
		}
		a.redis, counters = rs, rs
	}
	a.Flows.Limiter.Store = counters
	wa, err := a.webAuthn()
	if err != nil {
		return err
	}
	mc := mfa.DefaultConfig()
	mc.SiteURL, mc.DeviceTTL = cfg.Issuer, cfg.RememberDeviceTTL
	a.MFA = &mfa.Service{Tx: a.DB, Store: a.DB, Accounts: a.DB, CodeKey: credential.CodeKey(a.Keys.CodeKey()),
		Audit: a.Audit, Outbox: a.Flows.Outbox, WebAuthn: wa, Config: mc, Now: a.Now}
	a.PoW = &pow.Service{Key: deriveKey(a.Keys.CodeKey(), "civis proof of work v1"), Used: a.DB, Counters: counters,
		Config: pow.DefaultConfig(), Now: a.Now}
	a.Flows.Logins, a.Flows.MFA, a.Flows.PoW = a.DB, a.MFA, a.PoW
	return nil
}

// webAuthn is the passkey relying party: its id is the issuer's host, its origin the issuer.
// Browsers refuse passkeys on IP addresses, so with an issuer such as http://127.0.0.1:8080
// passkeys are off (develop on http://localhost:PORT to try them).
func (a *App) webAuthn() (*webauthn.WebAuthn, error) {
	u, err := url.Parse(a.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("issuer: %w", err)
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		a.Logger.Warn("passkeys are off: the issuer's host is an IP address; use a domain name (localhost in development)",
			"issuer", a.Config.Issuer)
		return nil, nil
	}
	wa, err := webauthn.New(&webauthn.Config{RPID: u.Hostname(), RPDisplayName: "Civis",
		RPOrigins: []string{u.Scheme + "://" + u.Host}})
	if err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	return wa, nil
}

// deriveKey derives a key for one purpose from a master key, so that the proof-of-work
// signatures never share a key with code hashes.
func deriveKey(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
