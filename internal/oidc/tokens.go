package oidc

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/grant"
)

// issueAccess writes an access token and, in the same transaction, what it implies: the
// session-to-client link used by single logout (link: at a code exchange; a rotation has
// it already) and the consent's last use. The caller audits it after commit (auditIssued).
func (p *Provider) issueAccess(ctx context.Context, link bool, clientID, accountID, sessionID, refreshID string,
	scopes, amr []string, acr string, authTime time.Time) (*grant.Token, error) {
	now := p.Now().UTC()
	t := &grant.Token{
		ID: uuid.Must(uuid.NewV7()).String(), ClientID: clientID, AccountID: accountID, SessionID: sessionID,
		RefreshID: refreshID, Scopes: scopes, Audience: []string{clientID}, AMR: amr, ACR: acr,
		AuthTime: authTime, CreatedAt: now, ExpiresAt: now.Add(p.cfg.AccessTokenTTL),
	}
	if err := p.Grants.CreateToken(ctx, t); err != nil {
		return nil, fmt.Errorf("store access token: %w", err)
	}
	if sessionID != "" && link {
		if err := p.Grants.AddSessionClient(ctx, grant.SessionClient{SessionID: sessionID, ClientID: clientID,
			AccountID: accountID, SID: p.sid(sessionID, clientID), CreatedAt: now}); err != nil {
			return nil, err
		}
	}
	if err := p.Consents.TouchConsent(ctx, accountID, clientID, now); err != nil {
		return nil, err
	}
	return t, nil
}

// auditIssued records a token issuance. It runs after the issuing transaction commits and
// before the answer is sent, through the audit group commit, so that concurrent grants share
// audit writes while no token leaves unaudited (a crash in between loses a token nobody got).
func (p *Provider) auditIssued(ctx context.Context, t *grant.Token) error {
	return p.Audit.Record(ctx, audit.Event{AccountID: t.AccountID, Action: "token.issued", Actor: "client:" + t.ClientID,
		Details: map[string]string{"client_id": t.ClientID, "scopes": joinScopes(t.Scopes), "acr": t.ACR,
			"claims": "sub acr amr aal trusted confirmation_method", "refresh": fmt.Sprint(t.RefreshID != "")}})
}

// startFamily issues the first refresh token of a new family after a code exchange.
func (p *Provider) startFamily(ctx context.Context, r *grant.AuthRequest) (*grant.Token, string, error) {
	fam := uuid.Must(uuid.NewV7()).String()
	return p.issueRefresh(ctx, true, &grant.Refresh{FamilyID: fam, ClientID: r.ClientID, AccountID: r.AccountID,
		SessionID: r.SessionID, Scopes: r.Scopes, Audience: []string{r.ClientID}, AMR: r.AMR, ACR: r.ACR, AuthTime: r.AuthTime})
}

// rotate marks the presented refresh token used and issues the next one of its family. Of two
// concurrent uses only one wins; the other is treated as reuse.
func (p *Provider) rotate(ctx context.Context, x *refreshRequest) (*grant.Token, string, error) {
	ok, err := p.Grants.MarkRefreshUsed(ctx, x.r.ID, p.Now().UTC())
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", errRefreshReused
	}
	next := *x.r
	next.Scopes = x.scopes
	return p.issueRefresh(ctx, false, &next)
}

var errRefreshReused = fmt.Errorf("refresh token already used")

func (p *Provider) issueRefresh(ctx context.Context, link bool, tmpl *grant.Refresh) (*grant.Token, string, error) {
	token, err := credential.NewToken()
	if err != nil {
		return nil, "", err
	}
	now := p.Now().UTC()
	r := *tmpl
	r.ID, r.TokenHash, r.UsedAt, r.Revoked = uuid.Must(uuid.NewV7()).String(), hashSecret(token), time.Time{}, false
	r.CreatedAt, r.ExpiresAt = now, now.Add(p.cfg.RefreshTTL)
	if err := p.Grants.CreateRefresh(ctx, &r); err != nil {
		return nil, "", fmt.Errorf("store refresh token: %w", err)
	}
	t, err := p.issueAccess(ctx, link, r.ClientID, r.AccountID, r.SessionID, r.ID, r.Scopes, r.AMR, r.ACR, r.AuthTime)
	return t, token, err
}

// reuseDetected revokes a refresh family whose used token came back, and records it.
func (p *Provider) reuseDetected(ctx context.Context, r *grant.Refresh) {
	err := p.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := p.Grants.RevokeFamily(ctx, r.FamilyID); err != nil {
			return err
		}
		return p.Audit.Record(ctx, audit.Event{AccountID: r.AccountID, Action: "token.reuse_detected",
			Actor: "client:" + r.ClientID, Details: map[string]string{"client_id": r.ClientID, "family": r.FamilyID}})
	})
	if err != nil {
		p.Logger.Error("revoke reused refresh family", "client_id", r.ClientID, "err", err)
	}
}
