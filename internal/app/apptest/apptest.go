// Package apptest starts a whole Civis node for tests: dev mode, a fresh database (SQLite, or
// a fresh PostgreSQL schema), a real HTTP server on loopback, and helpers to read the messages
// Civis sent from the dev outbox.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/app"
	"github.com/civis-id/civis/internal/config"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/store/storetest"
	"github.com/spf13/pflag"
)

// Env is a running node.
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	URL    string
}

// Option adjusts the configuration before the node starts.
type Option func(*config.Config)

// Engines returns the databases to run a test on: SQLite always, PostgreSQL when
// CIVIS_TEST_POSTGRES is set. Pass the value to New with WithDB.
func Engines() []string {
	out := []string{"sqlite"}
	if storetest.PostgresDSN() != "" {
		out = append(out, "postgres")
	}
	return out
}

// WithDB picks the engine ("sqlite" or "postgres").
func WithDB(engine string) Option {
	return func(c *config.Config) {
		if engine == "postgres" {
			c.DB = "postgres"
		}
	}
}

// WithAdminToken enables the admin API with tok as its bearer token.
func WithAdminToken(tok string) Option {
	return func(c *config.Config) { c.AdminToken = tok }
}

// WithIssuerHost serves the node under host (with the listener's port) instead of 127.0.0.1:
// "localhost" for passkeys, which browsers refuse on IP addresses.
func WithIssuerHost(host string) Option {
	return func(c *config.Config) { c.Issuer = host }
}

// WithTrustedProxies believes X-Forwarded-For from these CIDRs (127.0.0.1/32: the test's own
// client), to simulate clients at many addresses.
func WithTrustedProxies(cidrs ...string) Option {
	return func(c *config.Config) { c.TrustedProxies = cidrs }
}

// New starts a node and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	cfg := config.Bind(fs)
	dir := t.TempDir()
	cfg.Dev, cfg.DB, cfg.KeysFile = true, "sqlite:"+filepath.Join(dir, "civis.db"), filepath.Join(dir, "keys.json")
	cfg.Argon2Time = 1 // the cheapest allowed cost keeps tests quick
	for _, o := range opts {
		o(cfg)
	}
	if cfg.DB == "postgres" {
		cfg.DB = storetest.PostgresSchema(t, storetest.PostgresDSN())
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	if cfg.Issuer != "" { // WithIssuerHost
		_, port, _ := net.SplitHostPort(cfg.Addr)
		cfg.Issuer = "http://" + net.JoinHostPort(cfg.Issuer, port)
	} else {
		cfg.Issuer = "http://" + cfg.Addr
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(context.Background(), cfg, log, true)
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: a.Handler}}
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &Env{T: t, App: a, Server: srv, URL: srv.URL}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// Deliver runs queued jobs until none is due, so queued messages reach the dev outbox.
func (e *Env) Deliver() {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for e.App.Runner.RunOnce(ctx) > 0 {
	}
}

// Messages delivers queued messages and returns those sent to to, newest first.
func (e *Env) Messages(to string) []notify.Message {
	e.T.Helper()
	e.Deliver()
	msgs, err := e.App.DB.DevMessages(context.Background(), to, 100)
	if err != nil {
		e.T.Fatalf("dev outbox: %v", err)
	}
	return msgs
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// Code returns the 6-digit code in the newest message to to.
func (e *Env) Code(to string) string {
	e.T.Helper()
	msgs := e.Messages(to)
	if len(msgs) == 0 {
		e.T.Fatalf("no message to %s", to)
	}
	code := codeRE.FindString(msgs[0].Body)
	if code == "" {
		e.T.Fatalf("no code in the newest message to %s: %q", to, msgs[0].Body)
	}
	return code
}
