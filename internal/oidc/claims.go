package oidc

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

// openIDClaims are the claims of the openid scope beyond sub/acr/amr: they go in the ID token.
func openIDClaims(a *account.Account, c *rp.Client, amr []string) map[string]any {
	level := EffectiveLevel(a, c.AllowedMethods)
	out := map[string]any{"trusted": level == account.Confirmed, "aal": AALOf(amr)}
	if level == account.Confirmed && a.ConfirmationMethod != "" {
		out["confirmation_method"] = a.ConfirmationMethod
	}
	return out
}

// scopeClaims returns the data claims of one scope for the account, or nil when the account
// holds none of that data. Data that no registry verified is never marked verified.
func scopeClaims(a *account.Account, scope string) map[string]any {
	switch scope {
	case "fullname":
		out := map[string]any{"family_name": a.LastName, "given_name": a.FirstName}
		if a.MiddleName != "" {
			out["middle_name"] = a.MiddleName
		}
		return out
	case "email":
		if c, ok := a.Contact(account.Email); ok {
			return map[string]any{"email": c.Value, "email_verified": c.Verified}
		}
	case "mobile":
		if c, ok := a.Contact(account.Phone); ok {
			return map[string]any{"phone_number": c.Value, "phone_number_verified": c.Verified}
		}
	}
	return nil
}

// needsContacts reports whether a scope releases a contact (email, phone).
func needsContacts(scopes []string) bool {
	return slices.Contains(scopes, "email") || slices.Contains(scopes, "mobile")
}

// tokenAndAccount reads a live access token and its account, current as stored: nothing of
// either is cached, so a revoked token or a changed account is seen at once on every node.
func (p *Provider) tokenAndAccount(ctx context.Context, id string) (*grant.Token, *account.Account, error) {
	t, acc, err := p.Grants.TokenAccount(ctx, id, needsContacts)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errTokenInactive
	}
	if err != nil {
		return nil, nil, err // a storage failure is not the client's token's fault
	}
	if !p.Now().Before(t.ExpiresAt) {
		return nil, nil, errTokenInactive
	}
	return t, acc, nil
}

// userinfo returns the userinfo answer for token, sub included, and audits what was
// released. errTokenInactive when the token's client is gone.
func (p *Provider) userinfo(ctx context.Context, t *grant.Token, acc *account.Account, subject string) (map[string]any, error) {
	c, err := p.Clients.Get(ctx, t.ClientID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errTokenInactive
		}
		return nil, err
	}
	released := []string{"sub"}
	claims := openIDClaims(acc, c, t.AMR)
	claims["acr"], claims["amr"] = t.ACR, t.AMR
	for _, scope := range t.Scopes {
		for k, v := range scopeClaims(acc, scope) {
			claims[k] = v
		}
	}
	if p.Profile != nil && needsProfile(t.Scopes) {
		extra, err := p.Profile.ClaimsFor(ctx, acc.ID, t.Scopes)
		if err != nil {
			return nil, err
		}
		for k, v := range extra {
			if _, set := claims[k]; !set {
				claims[k] = v
			}
		}
	}
	for k := range claims {
		released = append(released, k)
	}
	claims["sub"] = subject
	err = p.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: "data.released", Actor: "client:" + c.ID,
		Details: map[string]string{"client_id": c.ID, "client_name": c.Name, "claims": strings.Join(slices.Sorted(slices.Values(released)), " ")}})
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// needsProfile reports whether a scope releases data the standard level verifies (anything
// beyond names and contacts), so that the profile is read only when it can contribute.
func needsProfile(scopes []string) bool {
	for _, s := range scopes {
		switch s {
		case "openid", "offline_access", "fullname", "email", "mobile":
		default:
			return true
		}
	}
	return false
}
