package app

import (
	"context"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/clientauth"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/operator"
)

// OperatorAPIPath is the base of the operator API, also accepted as a client assertion's aud.
const OperatorAPIPath = "/api/v1/operator"

// ActivationTTL is how long the activation link of a citizen enrolled by staff works.
const ActivationTTL = 72 * time.Hour

// wireOperator builds the operator service and the client-assertion authenticator of the
// operator API. It runs after wireOIDC (client keys), wireCare (deletion), wireSignIn (second
// factors) and wireStaff.
func (a *App) wireOperator() {
	a.OperatorAuth = a.apiAuthenticator(OperatorAPIPath)
	a.Operator = &operator.Service{Tx: a.DB, Ledger: a.Ledger,
		Store: a.DB, Accounts: a.DB, Contacts: a.DB, Profiles: a.Proofing, Staff: a.Staff, Sessions: a.Sessions,
		Grants: a.DB, Deletion: a.Deletion, Hasher: a.Hasher, Outbox: a.Flows.Outbox, Audit: a.Audit,
		Logger: a.Logger, CenterName: a.centerName, TokenKey: a.derive("activation-token"), LimitIP: a.Flows.LimitCheckIP,
		Limiter: a.Flows.Limiter, Index: a.Keys, Config: a.operatorConfig(), Now: a.Now}
	if a.MFA != nil {
		a.Operator.SecondFactors = a.MFA
	}
}

// operatorConfig is the operator rules, with the limits scaled by --rate-limit-scale.
func (a *App) operatorConfig() operator.Config {
	l := operator.DefaultLimits()
	a.scaleLimits(&l.SendPerTarget, &l.SendPerCenter, &l.SendPerBank, &l.SearchPerOperator, &l.SearchPerClient)
	return operator.Config{SiteURL: a.Config.Issuer, ActivationTTL: ActivationTTL, Limits: l}
}

// apiAuthenticator builds the client-assertion authenticator of the API at path: an
// assertion's aud may be the issuer, its token endpoint or the API's base URL.
func (a *App) apiAuthenticator(path string) *clientauth.Authenticator {
	issuer := strings.TrimSuffix(a.Config.Issuer, "/")
	return &clientauth.Authenticator{Clients: a.Clients, Keys: a.OIDC.ClientKeys, Used: a.DB.UseAssertion,
		Audiences: []string{issuer, issuer + oidc.PathToken, issuer + path}, Now: a.Now}
}

// centerName names a center from the directory ("" when it is not there).
func (a *App) centerName(ctx context.Context, id string) string {
	if a.Centers == nil {
		return ""
	}
	c, err := a.Centers.Get(ctx, id)
	if err != nil {
		return ""
	}
	return c.Name
}
