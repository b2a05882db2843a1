package app

import (
	"math"

	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/deletion"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/recovery"
	"github.com/civis-id/civis/internal/settings"
)

// CentersURL is the page that lists the service centers offering a service (a later issue
// builds it); recovery and deletion messages link to it for restoring access.
const CentersURL = "/centers?service=recover"

// wireCare builds account care: notification settings, the settings service, access recovery
// and deletion with its erasure job. It runs after wireSignIn (proof of work, second factors)
// and the job runner.
func (a *App) wireCare() {
	cfg := a.Config
	a.Notices = &notice.Notifier{Store: a.DB, Outbox: a.Flows.Outbox}
	codeKey := credential.CodeKey(a.Keys.CodeKey())

	sc := settings.DefaultConfig()
	sc.SiteURL, sc.CodeTTL = cfg.Issuer, cfg.CodeTTL
	a.scaleLimits(&sc.SendPerTarget, &sc.SendPerIP, &sc.CheckPerIP, &sc.ChangesPerUser)
	a.Settings = &settings.Service{Tx: a.DB, Store: a.DB, Accounts: a.DB, Sessions: a.Sessions, Reauth: a.Flows,
		Hasher: a.Hasher, CodeKey: codeKey, Index: a.Keys, Limiter: a.Flows.Limiter, Outbox: a.Flows.Outbox,
		Notices: a.Notices, Audit: a.Audit, Config: sc, Now: a.Now, Devices: a.MFA}

	rc := recovery.DefaultConfig()
	rc.SiteURL, rc.CentersURL = cfg.Issuer, CentersURL
	rc.FlowTTL, rc.CodeTTL, rc.ResendCooldown = cfg.RegistrationTTL, cfg.CodeTTL, cfg.ResendCooldown
	a.scaleLimits(&rc.StartPerTarget, &rc.StartPerIP, &rc.SendPerTarget, &rc.SendPerIP, &rc.CheckPerIP, &rc.StepPerAccount)
	a.Recovery = &recovery.Service{Tx: a.DB, Store: a.DB, Accounts: a.DB, Profiles: a.DB, Secrets: a.Settings,
		Sessions: a.Sessions, Grants: a.DB, Hasher: a.Hasher, CodeKey: codeKey, Index: a.Keys, Limiter: a.Flows.Limiter,
		PoW: a.PoW, Outbox: a.Flows.Outbox, Notices: a.Notices, Audit: a.Audit, Config: rc, Now: a.Now, Devices: a.MFA}

	a.Deletion = &deletion.Service{Tx: a.DB, Store: a.DB, Accounts: a.DB, Sessions: a.Sessions, Grants: a.DB,
		Reauth: a.Flows, Queue: a.Flows.Outbox.Queue, Notices: a.Notices, Audit: a.Audit,
		Retention: cfg.DeletionRetention, SiteURL: cfg.Issuer, CentersURL: CentersURL, Now: a.Now}
	if a.MFA != nil {
		a.Deletion.SecondFactors = a.MFA
	}
	a.Runner.Handlers[deletion.JobKind] = a.Deletion.Handle
}

// scaleLimits multiplies the rules' limits by --rate-limit-scale, as flowConfig does.
func (a *App) scaleLimits(rules ...*ratelimit.Rule) {
	for _, r := range rules {
		r.Max = int(math.Ceil(float64(r.Max) * a.Config.RateLimitScale))
	}
}
