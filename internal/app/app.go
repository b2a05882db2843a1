package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/civis-id/civis/internal/adminapi"
	"github.com/civis-id/civis/internal/api"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/clientauth"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/deletion"
	"github.com/civis-id/civis/internal/devoutbox"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/metrics"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/partner"
	"github.com/civis-id/civis/internal/pii"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/ratelimit/redislimit"
	"github.com/civis-id/civis/internal/recovery"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/settings"
	"github.com/civis-id/civis/internal/signing"
	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store/sqlstore"
	"github.com/civis-id/civis/internal/web"
)

// App is a wired Civis node.
type App struct {
	Config   *config.Config
	Logger   *slog.Logger
	DB       *sqlstore.DB
	Keys     *pii.Keys
	Metrics  *metrics.Metrics
	Hasher   *credential.Hasher
	Sessions *session.Service
	Flows    *flow.Service
	Runner   *jobs.Runner
	Audit    *audit.Recorder
	Clients  *rp.Service
	// SigningKeys sign ID tokens and logout tokens.
	SigningKeys *signing.Manager
	OIDC        *oidc.Provider
	Proofing    *proofing.Service
	MFA         *mfa.Service // second factors and passkeys
	PoW         *pow.Service // proof of work after repeated failures
	redis       *redislimit.Store
	Handler     http.Handler
	// life ends with Close; it bounds the node's own goroutines (the audit batcher).
	life context.Context
	stop context.CancelFunc
	Now  func() time.Time

	// Account care (care.go): notices as the citizen chose, settings, recovery, deletion.
	Notices  *notice.Notifier
	Settings *settings.Service
	Recovery *recovery.Service
	Deletion *deletion.Service

	// Letters confirms identity by a code in a registered letter (letters.go).
	Letters *letters.Service

	// Centers is the directory of service centers (centers.go).
	Centers *center.Service

	// Partner serves partner banks; PartnerAuth checks their client assertions (partner.go).
	Partner     *partner.Service
	PartnerAuth *clientauth.Authenticator

	// Staff is who works at which center; StaffDesk manages them by login, audited (staff.go).
	Staff     *staff.Service
	StaffDesk *staff.Desk

	// Operator serves service-center staff (the workstation and the operator API);
	// OperatorAuth checks the client assertions of centers' systems (operator.go).
	// Ledger is the request ledger of the operator and partner APIs.
	Ledger       *ledger.Service
	Operator     *operator.Service
	OperatorAuth *clientauth.Authenticator
}

// New opens the database (migrating it when migrate is true) and wires every part.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool) (*App, error) {
	keys, err := pii.LoadOrCreate(cfg.KeysFile, cfg.Dev)
	if err != nil {
		return nil, fmt.Errorf("keys: %w (create one with `civis keys init`, or use --dev)", err)
	}
	db, err := sqlstore.Open(ctx, cfg.DB, keys, sqlstore.Options{MaxConns: cfg.DBMaxConns})
	if err != nil {
		return nil, err
	}
	if migrate {
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	a := &App{Config: cfg, Logger: log, DB: db, Keys: keys, Metrics: metrics.New(), Now: time.Now}
	a.life, a.stop = context.WithCancel(context.Background())
	if err := a.wire(); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.Dev && migrate {
		if err := a.seedDev(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("dev seed: %w", err)
		}
		if err := a.seedCenters(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("dev seed: centers: %w", err)
		}
		if err := a.seedOperator(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("dev seed: %w", err)
		}
	}
	return a, nil
}

func (a *App) wire() error {
	cfg := a.Config
	a.wireCenters() // first: other services check center ids against it
	a.Hasher = credential.NewHasher(credential.Params{
		Memory: cfg.Argon2Memory, Time: cfg.Argon2Time, Threads: cfg.Argon2Threads, SaltLen: 16, KeyLen: 32,
	}, cfg.HashConcurrency)
	batch := &audit.Batcher{Store: a.DB}
	batch.Start(a.life)
	rec := &audit.Recorder{Store: a.DB, Now: a.Now, Batch: batch}
	a.Audit = rec
	a.Sessions = &session.Service{Store: a.DB, Tx: a.DB, Now: a.Now,
		Config: session.Config{Lifetime: cfg.SessionLifetime, IdleTimeout: cfg.SessionIdle},
		OnEnd: func(ctx context.Context, s *session.Session) error {
			if err := rec.Record(ctx, audit.Event{AccountID: s.AccountID, Action: audit.Logout, Actor: "self",
				Details: map[string]string{"session_id": s.ID}}); err != nil {
				return err
			}
			return a.OIDC.SessionEnded(ctx, s)
		},
		OnExpire: func(ctx context.Context, s *session.Session) error { return a.OIDC.SessionExpired(ctx, s) }}
	queue := &jobs.Queue{Store: a.DB, Now: a.Now}
	a.Flows = &flow.Service{
		Tx: a.DB, Flows: a.DB, Accounts: a.DB, Sessions: a.Sessions, Hasher: a.Hasher,
		CodeKey: credential.CodeKey(a.Keys.CodeKey()), Index: a.Keys,
		Outbox:  &messages.Outbox{Queue: queue, Now: a.Now},
		Limiter: &ratelimit.Limiter{Store: a.DB, Now: a.Now},
		Audit:   rec,
		Config:  a.flowConfig(), Now: a.Now,
		OnLogin:      func(o string) { a.Metrics.Logins.WithLabelValues(o).Inc() },
		OnRegistered: a.Metrics.Registrations.Inc,
	}
	if err := a.wireSignIn(); err != nil {
		return err
	}
	sender, err := a.sender()
	if err != nil {
		return err
	}
	a.Runner = &jobs.Runner{
		Store: a.DB, Logger: a.Logger, Now: a.Now, Workers: cfg.Workers, Lease: cfg.JobLease,
		Handlers: map[string]jobs.Handler{messages.JobKind: messages.Handler(sender, a.observeMessage)},
		Observer: jobs.Observer{Done: a.observeJob},
	}
	regs, err := a.registries()
	if err != nil {
		return err
	}
	checks := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "civis_registry_check_duration_seconds",
		Help: "Registry check attempts by registry and outcome (duration of the call; 0 when not called)."},
		[]string{"registry", "outcome"})
	a.Metrics.Collector(checks)
	pcfg := proofing.DefaultConfig()
	pcfg.Deadline = cfg.RegistryDeadline
	pcfg.SiteURL = cfg.Issuer
	a.Proofing = &proofing.Service{Tx: a.DB, Store: a.DB, Accounts: a.DB, Queue: queue, Registries: regs,
		Outbox: a.Flows.Outbox, Audit: rec, Logger: a.Logger, Config: pcfg, Now: a.Now, OnEnqueue: a.Runner.Wake,
		Observe: func(r, o string, d time.Duration) { checks.WithLabelValues(r, o).Observe(d.Seconds()) }}
	a.Runner.Handlers[proofing.JobKind] = a.Proofing.Handle
	if err := a.wireOIDC(queue); err != nil {
		return err
	}
	a.OIDC.Profile = a.Proofing
	a.wireCare()
	a.wireLetters()
	a.wireStaff()
	a.Ledger = &ledger.Service{Tx: a.DB, Store: a.DB, Key: a.derive("request-fingerprint"), Now: a.Now}
	a.wireOperator()
	a.wirePartner()
	a.registerGauges()
	a.Handler = a.routes()
	return nil
}

func (a *App) flowConfig() flow.Config {
	c := flow.DefaultConfig()
	c.FlowTTL, c.CodeTTL, c.ResendCooldown = a.Config.RegistrationTTL, a.Config.CodeTTL, a.Config.ResendCooldown
	c.SiteURL = a.Config.Issuer
	for _, r := range []*ratelimit.Rule{&c.SendPerTarget, &c.SendPerIP, &c.RegisterPerIP, &c.CheckPerIP,
		&c.LoginFailIP, &c.SecondFactorPerAccount} {
		r.Max = int(math.Ceil(float64(r.Max) * a.Config.RateLimitScale))
	}
	return c
}

// sender picks message delivery: the dev outbox in --dev, else SMTP for email and the HTTP
// gateway for SMS.
func (a *App) sender() (notify.Sender, error) {
	cfg := a.Config
	if cfg.Dev {
		return &devoutbox.Sender{Store: a.DB, Now: a.Now}, nil
	}
	smtp, err := notify.NewSMTPSender(notify.SMTPConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort,
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS})
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	sms := notify.NewSMSGateway(notify.SMSGatewayConfig{URL: cfg.SMSGatewayURL, Token: cfg.SMSGatewayToken,
		Sender: cfg.SMSGatewaySender}, nil)
	return notify.Router{notify.Email: smtp, notify.SMS: sms}, nil
}

func (a *App) observeMessage(ch notify.Channel, err error) {
	outcome := "sent"
	if err != nil {
		outcome = "failed"
	}
	a.Metrics.Messages.WithLabelValues(string(ch), outcome).Inc()
}

func (a *App) observeJob(kind string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	a.Metrics.Jobs.WithLabelValues(kind, outcome).Observe(d.Seconds())
}

func (a *App) registerGauges() {
	a.Metrics.GaugeFunc("civis_password_hashes_in_flight", "Password hashes being computed.",
		func() float64 { return float64(a.Hasher.InFlight()) })
	a.Metrics.GaugeFunc("civis_password_hashes_waiting", "Password hashes waiting for a slot.",
		func() float64 { return float64(a.Hasher.Waiting()) })
	a.Metrics.Collector(metrics.NewQueueCollector(a.DB))
	if a.DB.Dialect() == sqlstore.SQLite {
		a.Metrics.CounterFunc("civis_sqlite_commits_total", "Group commits of the SQLite writer.",
			func() float64 { c, _, _ := a.DB.WriterStats(); return float64(c) })
		a.Metrics.CounterFunc("civis_sqlite_transactions_total", "Write transactions the SQLite writer's commits carried.",
			func() float64 { _, t, _ := a.DB.WriterStats(); return float64(t) })
		a.Metrics.GaugeFunc("civis_sqlite_writer_waiting", "Write transactions waiting for the SQLite writer.",
			func() float64 { _, _, w := a.DB.WriterStats(); return float64(w) })
	}
}

func (a *App) trustedProxies() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range a.Config.TrustedProxies {
		if pf, err := netip.ParsePrefix(p); err == nil {
			out = append(out, pf)
		}
	}
	return out
}

// routes builds the HTTP handler: pages, API, dev outbox, health and metrics, wrapped in
// cross-origin protection (CSRF), security headers and request logging.
func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	proxies := a.trustedProxies()
	(&api.Handler{Flows: a.Flows, Sessions: a.Sessions, Accounts: a.DB, Profile: a.Proofing, Logger: a.Logger,
		TrustedProxies: proxies, MFA: a.MFA, Centers: a.Centers,
		Recovery: a.Recovery, Settings: a.Settings, Deletion: a.Deletion, Events: a.DB, Letters: a.Letters,
		Partner: a.Partner, PartnerAuth: a.PartnerAuth, Operator: a.Operator, OperatorAuth: a.OperatorAuth}).Mount(mux)
	pages := &web.Handler{Flows: a.Flows, Sessions: a.Sessions, Accounts: a.DB, Logger: a.Logger, TrustedProxies: proxies,
		Secure: strings.HasPrefix(a.Config.Issuer, "https://"), Dev: a.Config.Dev,
		OIDC: a.OIDC, Events: a.DB, MFA: a.MFA, Proofing: a.Proofing, Centers: a.Centers,
		Recovery: a.Recovery, Settings: a.Settings, Deletion: a.Deletion, EventLog: a.DB, Letters: a.Letters,
		Staff: a.Staff, StaffDesk: a.StaffDesk, Operator: a.Operator}
	pages.Mount(mux)
	a.OIDC.BrowserSession = pages.BrowserSession
	a.OIDC.Mount(mux)
	if a.Config.Dev {
		(&devoutbox.Handler{Store: a.DB, Logger: a.Logger}).Mount(mux)
	}
	if a.Config.AdminToken != "" { // else /api/v1/admin/ falls to the API's not_found
		admin := adminapi.New(a.Config.AdminToken, a.Clients, a.Logger)
		admin.Letters = a.Letters
		admin.Centers = a.Centers
		admin.Mount(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", a.Metrics.Handler())
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteProblem(w, httpx.NewProblem("cross_origin_refused", "this request came from another site"))
	}))
	// The protocol endpoints authenticate clients and tokens, not cookies, and single-page
	// relying parties call them cross-origin.
	for _, p := range []string{oidc.PathToken, oidc.PathRevoke, oidc.PathIntrospect, oidc.PathUserinfo, oidc.PathPAR} {
		cop.AddInsecureBypassPattern(p)
	}
	var h http.Handler = cop.Handler(mux)
	h = httpx.SecurityHeaders(strings.HasPrefix(a.Config.Issuer, "https://"), h)
	return httpx.Logging(a.Logger, a.Metrics.ObserveRequest, h)
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ready(ctx); err != nil {
		a.Logger.Warn("not ready", "err", err)
		httpx.WriteProblem(w, httpx.NewProblem("unavailable", "database not ready"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Close stops the node's goroutines and releases the database.
func (a *App) Close() error {
	a.stop()
	if a.redis != nil {
		a.redis.Close()
	}
	return a.DB.Close()
}

// ErrServerClosed is returned by Serve after a graceful shutdown.
var ErrServerClosed = errors.New("server closed")
