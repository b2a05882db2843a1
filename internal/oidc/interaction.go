package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/consent"
	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// StepKind is what the browser must do next in an authorization.
type StepKind int

// Steps of an authorization.
const (
	StepLogin    StepKind = iota + 1 // sign in (again)
	StepConsent                      // approve the data the site asks for
	StepRefuse                       // the account does not meet the site's requirement
	StepRedirect                     // go to Redirect (back to the site, or to the callback)
)

// Step tells the pages what to show.
type Step struct {
	Kind      StepKind
	Request   *grant.AuthRequest
	Client    *rp.Client
	Account   *account.Account
	Redirect  string   // StepRedirect
	Scopes    []string // StepConsent: data scopes to approve
	Reason    string   // StepRefuse: level_too_low, method_refused, level_unavailable, aal_too_low
	Required  account.Level
	LoginHint string
}

// ErrUnknownRequest is returned for an unknown or expired authorization request.
var ErrUnknownRequest = errors.New("unknown or expired authorization request")

// Next decides the next step of authorization id for the browser's session (nil when not
// signed in). prompt=none turns every interactive step into an error sent to the site.
func (p *Provider) Next(ctx context.Context, id string, sess *session.Session) (*Step, error) {
	return p.next(ctx, id, sess, false)
}

// next is Next; consented means the citizen has just approved this very request, which
// satisfies prompt=consent.
func (p *Provider) next(ctx context.Context, id string, sess *session.Session, consented bool) (*Step, error) {
	r, c, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	st := &Step{Request: r, Client: c, LoginHint: r.LoginHint}
	none := slices.Contains(r.Prompt, "none")
	if !p.sessionFits(r, sess) {
		if none {
			return p.errorStep(r, "login_required", "the user is not signed in")
		}
		st.Kind = StepLogin
		return st, nil
	}
	acc, err := p.Accounts.GetAccount(ctx, sess.AccountID)
	if err != nil {
		return nil, err
	}
	st.Account = acc
	req := Require(c, r.ACRValues, r.ClaimsACR)
	if reason := req.Unmet(acc, sess.AMR); reason != "" {
		if none {
			return p.errorStep(r, "unmet_authentication_requirements", reason)
		}
		st.Kind, st.Reason, st.Required = StepRefuse, reason, req.MinLevel
		return st, nil
	}
	if need := p.missingConsent(ctx, acc.ID, c.ID, r.Scopes); len(need) > 0 || (slices.Contains(r.Prompt, "consent") && !consented) {
		if none {
			return p.errorStep(r, "consent_required", "the user has not approved this site")
		}
		st.Kind, st.Scopes = StepConsent, dataScopes(r.Scopes)
		return st, nil
	}
	return p.complete(ctx, r, c, acc, sess)
}

// sessionFits reports whether sess can serve r: it exists, and is fresh enough for
// prompt=login and max_age. A sign-in made after the request arrived satisfies both (the
// library turns prompt=login into max_age=0).
func (p *Provider) sessionFits(r *grant.AuthRequest, sess *session.Session) bool {
	switch {
	case sess == nil:
		return false
	case !sess.AuthTime.Before(r.CreatedAt):
		return true
	case slices.Contains(r.Prompt, "login"):
		return false
	case r.MaxAge != nil && p.Now().Sub(sess.AuthTime) > *r.MaxAge:
		return false
	}
	return true
}

func (p *Provider) missingConsent(ctx context.Context, accountID, clientID string, scopes []string) []string {
	c, err := p.Consents.GetConsent(ctx, accountID, clientID)
	if err != nil {
		return dataScopes(scopes)
	}
	var missing []string
	for _, s := range dataScopes(scopes) {
		if !c.Covers([]string{s}) {
			missing = append(missing, s)
		}
	}
	return missing
}

// dataScopes drops the scopes that release no personal data.
func dataScopes(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		if s != "openid" && s != "offline_access" {
			out = append(out, s)
		}
	}
	return out
}

// Approve records the citizen's consent to the request's scopes and finishes it. Consent is
// recorded only for a request the session may complete.
func (p *Provider) Approve(ctx context.Context, id string, sess *session.Session) (*Step, error) {
	st, err := p.Next(ctx, id, sess)
	if err != nil || st.Kind != StepConsent {
		return st, err
	}
	if err := p.saveConsent(ctx, sess.AccountID, st.Client.ID, dataScopes(st.Request.Scopes)); err != nil {
		return nil, err
	}
	return p.next(ctx, id, sess, true)
}

// saveConsent adds scopes to the citizen's consent for a client (creating it, with no scopes
// for an openid-only site, so that every site the citizen signed in to is listed and
// revocable). The first grant's date is kept.
func (p *Provider) saveConsent(ctx context.Context, accountID, clientID string, scopes []string) error {
	now := p.Now().UTC()
	c := &consent.Consent{AccountID: accountID, ClientID: clientID, Scopes: []string{}, GrantedAt: now, LastUsedAt: now}
	if old, err := p.Consents.GetConsent(ctx, accountID, clientID); err == nil {
		c.Scopes, c.GrantedAt = old.Scopes, old.GrantedAt
	}
	for _, s := range scopes {
		if !slices.Contains(c.Scopes, s) {
			c.Scopes = append(c.Scopes, s)
		}
	}
	return p.Consents.SaveConsent(ctx, c)
}

// Cancel sends the browser back to the site with error: access_denied when the citizen
// declined, unmet_authentication_requirements when the level was not enough.
func (p *Provider) Cancel(ctx context.Context, id, code string) (*Step, error) {
	r, _, err := p.load(ctx, id)
	if err != nil {
		return nil, err
	}
	desc := map[string]string{"access_denied": "the user declined",
		"unmet_authentication_requirements": "the account does not meet the required level"}[code]
	if desc == "" {
		return nil, fmt.Errorf("cancel with unknown error %q", code)
	}
	return p.errorStep(r, code, desc)
}

// complete marks the request done for the session's account and sends the browser to the
// library's callback, which issues the code.
func (p *Provider) complete(ctx context.Context, r *grant.AuthRequest, c *rp.Client, acc *account.Account, sess *session.Session) (*Step, error) {
	r.AccountID, r.SessionID, r.AuthTime, r.AMR = acc.ID, sess.ID, sess.AuthTime, sess.AMR
	r.ACR = ACRFor(EffectiveLevel(acc, c.AllowedMethods))
	r.Done = true
	if err := p.Grants.UpdateAuthRequest(ctx, r); err != nil {
		return nil, err
	}
	if _, err := p.Consents.GetConsent(ctx, acc.ID, c.ID); errors.Is(err, store.ErrNotFound) {
		if err := p.saveConsent(ctx, acc.ID, c.ID, nil); err != nil {
			return nil, err
		}
	}
	return &Step{Kind: StepRedirect, Request: r, Client: c, Account: acc,
		Redirect: p.cfg.Issuer + PathCallback + "?id=" + url.QueryEscape(r.ID)}, nil
}

// errorStep sends the browser back to the site's redirect URI with an OAuth error, the
// state and the issuer; the request is consumed.
func (p *Provider) errorStep(r *grant.AuthRequest, code, desc string) (*Step, error) {
	u, err := url.Parse(r.RedirectURI)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", desc)
	if r.State != "" {
		q.Set("state", r.State)
	}
	q.Set("iss", p.cfg.Issuer)
	u.RawQuery = q.Encode()
	_ = p.Grants.DeleteAuthRequest(context.WithoutCancel(context.Background()), r.ID)
	return &Step{Kind: StepRedirect, Request: r, Redirect: u.String()}, nil
}

func (p *Provider) load(ctx context.Context, id string) (*grant.AuthRequest, *rp.Client, error) {
	r, err := p.Grants.GetAuthRequest(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!p.Now().Before(r.ExpiresAt) || r.Done)) {
		return nil, nil, ErrUnknownRequest
	}
	if err != nil {
		return nil, nil, err
	}
	c, err := p.Clients.Get(ctx, r.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrUnknownRequest // the client was deleted meanwhile
	}
	if err != nil {
		return nil, nil, err
	}
	return r, c, nil
}
