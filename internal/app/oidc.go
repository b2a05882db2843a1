package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"time"

	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/signing"
)

// derive makes a purpose-bound key from the keys file's code key, so that every node holding
// the same keys file agrees on it and no two purposes share a key.
func (a *App) derive(purpose string) []byte {
	m := hmac.New(sha256.New, a.Keys.CodeKey())
	m.Write([]byte("civis:" + purpose))
	return m.Sum(nil)
}

// wireOIDC builds the relying-party registry, the signing keys and the OpenID provider.
func (a *App) wireOIDC(queue *jobs.Queue) error {
	a.Clients = &rp.Service{Store: a.DB, SecretKey: a.derive("client-secret"), Now: a.Now, Tx: a.DB, Data: a.DB}
	a.SigningKeys = &signing.Manager{Store: a.DB, Now: a.Now}
	cfg := oidc.DefaultConfig(a.Config.Issuer)
	copy(cfg.CryptoKey[:], a.derive("oidc-access-token"))
	cfg.PairwiseKey = a.derive("oidc-pairwise")
	p, err := oidc.New(oidc.Deps{
		Clients: a.Clients, Grants: a.DB, Consents: a.DB, Accounts: a.DB, Sessions: a.Sessions,
		Keys: a.SigningKeys, Tx: a.DB, Audit: a.Audit, Queue: queue, Logger: a.Logger, Now: a.Now, Pushed: a.DB,
	}, cfg)
	if err != nil {
		return err
	}
	a.OIDC = p
	a.Runner.Handlers[oidc.BackchannelJob] = p.BackchannelHandler(&http.Client{Timeout: 10 * time.Second})
	return nil
}

// DemoClient is the client that --dev registers for examples/rp.
var DemoClient = rp.Input{
	ID: "civis-demo", Name: "Civis demo site", RedirectURIs: []string{"http://127.0.0.1:9090/callback"},
	PostLogoutRedirectURIs: []string{"http://127.0.0.1:9090/"}, BackchannelLogoutURI: "http://127.0.0.1:9090/backchannel-logout",
	Scopes:     []string{"openid", "fullname", "email", "mobile", "birthdate", "snils", "offline_access"},
	AuthMethod: string(rp.ClientSecretBasic), Dev: true,
}

// DemoSecret is the demo client's secret in --dev (never in production).
const DemoSecret = "civis-demo-secret"

// seedDev registers the demo client in development mode.
func (a *App) seedDev(ctx context.Context) error {
	return a.Clients.EnsureDev(ctx, DemoClient, DemoSecret)
}
