package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/store"
)

// Connected is a site the citizen has let read their data.
type Connected struct {
	ClientID   string
	ClientName string
	Scopes     []string
	GrantedAt  time.Time
	LastUsedAt time.Time
}

// ConnectedSites lists the citizen's consents, most recently used first.
func (p *Provider) ConnectedSites(ctx context.Context, accountID string) ([]Connected, error) {
	cs, err := p.Consents.ListConsents(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]Connected, 0, len(cs))
	for _, c := range cs {
		name := c.ClientID
		if cl, err := p.Clients.Get(ctx, c.ClientID); err == nil {
			name = cl.Name
		}
		out = append(out, Connected{ClientID: c.ClientID, ClientName: name, Scopes: c.Scopes,
			GrantedAt: c.GrantedAt, LastUsedAt: c.LastUsedAt})
	}
	return out, nil
}

// RevokeConsent withdraws the citizen's consent for a site and ends the site's refresh and
// access tokens, in one transaction.
func (p *Provider) RevokeConsent(ctx context.Context, accountID, clientID string) error {
	return p.Tx.InTx(ctx, func(ctx context.Context) error {
		if _, err := p.Consents.GetConsent(ctx, accountID, clientID); errors.Is(err, store.ErrNotFound) {
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		if err := p.Consents.DeleteConsent(ctx, accountID, clientID); err != nil {
			return err
		}
		if err := p.Grants.RevokeClientGrants(ctx, accountID, clientID); err != nil {
			return err
		}
		return p.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: "consent.revoked", Actor: "self",
			Details: map[string]string{"client_id": clientID}})
	})
}

// logoutSig binds a logged-out page's continuation URL to its session id, so that the page
// cannot be used to send browsers to arbitrary sites.
func (p *Provider) logoutSig(sid, next string) string {
	m := hmac.New(sha256.New, p.cfg.PairwiseKey)
	m.Write([]byte("logged-out\x00" + sid + "\x00" + next))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyLoggedOut checks the parameters of the logged-out page.
func (p *Provider) VerifyLoggedOut(sid, next, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(p.logoutSig(sid, next)))
}
