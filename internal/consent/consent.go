package consent

import (
	"context"
	"slices"
	"time"
)

// Consent is a citizen's permission for one client.
type Consent struct {
	AccountID  string
	ClientID   string
	Scopes     []string
	GrantedAt  time.Time
	LastUsedAt time.Time
}

// Covers reports whether the consent includes every scope in want ("openid" and
// "offline_access" need none).
func (c *Consent) Covers(want []string) bool {
	for _, s := range want {
		if s == "openid" || s == "offline_access" {
			continue
		}
		if !slices.Contains(c.Scopes, s) {
			return false
		}
	}
	return true
}

// Store persists consents.
type Store interface {
	// GetConsent returns the consent, or store.ErrNotFound.
	GetConsent(ctx context.Context, accountID, clientID string) (*Consent, error)
	// SaveConsent inserts or replaces the consent.
	SaveConsent(ctx context.Context, c *Consent) error
	TouchConsent(ctx context.Context, accountID, clientID string, at time.Time) error
	ListConsents(ctx context.Context, accountID string) ([]*Consent, error)
	DeleteConsent(ctx context.Context, accountID, clientID string) error
}
