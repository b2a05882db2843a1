package oidc

import (
	"context"
	"slices"
	"strings"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/rp"
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

// userinfo fills the userinfo answer for token and audits what was released.
func (p *Provider) userinfo(ctx context.Context, ui *zoidc.UserInfo, t *grant.Token, subject string) error {
	acc, err := p.Accounts.GetAccount(ctx, t.AccountID)
	if err != nil {
		return err
	}
	c, err := p.Clients.Get(ctx, t.ClientID)
	if err != nil {
		return err
	}
	ui.Subject = subject
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
			return err
		}
		for k, v := range extra {
			if _, set := claims[k]; !set {
				claims[k] = v
			}
		}
	}
	for k, v := range claims {
		ui.AppendClaims(k, v)
		released = append(released, k)
	}
	return p.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: "data.released", Actor: "client:" + c.ID,
		Details: map[string]string{"client_id": c.ID, "client_name": c.Name, "claims": strings.Join(slices.Sorted(slices.Values(released)), " ")}})
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
