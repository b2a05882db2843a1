package app

import "github.com/civis-id/civis/internal/partner"

// PartnerAPIPath is the base of the partner API, also accepted as a client assertion's aud.
const PartnerAPIPath = "/api/v1/partner"

// wirePartner builds the partner-bank service and the client-assertion authenticator of the
// partner API. It runs after wireOIDC (client keys), wireCare (notices) and wireOperator
// (enrollment).
func (a *App) wirePartner() {
	a.PartnerAuth = a.apiAuthenticator(PartnerAPIPath)
	a.Partner = &partner.Service{
		Ledger:   a.Ledger,
		Accounts: a.DB, Profiles: a.DB, Confirmations: a.DB, Notices: a.Notices, Audit: a.Audit,
		SiteURL: a.Config.Issuer, Now: a.Now,
	}
	if a.Operator != nil {
		a.Partner.Enroller = a.Operator
	}
}
