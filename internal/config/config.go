package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is everything `civis serve` can be told.
type Config struct {
	Addr      string
	DB        string
	Issuer    string
	Dev       bool
	KeysFile  string
	LogLevel  string
	LogFormat string

	SessionLifetime time.Duration
	SessionIdle     time.Duration

	Argon2Memory    uint32 // KiB
	Argon2Time      uint32
	Argon2Threads   uint8
	HashConcurrency int
	DBMaxConns      int
	Workers         int
	JobLease        time.Duration
	TrustedProxies  []string
	ShutdownTimeout time.Duration
	RegistrationTTL time.Duration
	CodeTTL         time.Duration
	ResendCooldown  time.Duration
	RateLimitScale  float64
	// Registries: "simulator" (default in --dev), "http" (a real interagency gateway) or "none".
	Registry           string
	RegistryURL        string
	RegistryToken      string
	RegistryClientCert string
	RegistryClientKey  string
	RegistryTimeout    time.Duration
	RegistryDeadline   time.Duration
	SimulatorData      string
	SimulatorStrict    bool
	SimulatorDelay     time.Duration
	SimulatorErrorRate float64
	SimulatorOutages   string
	SMTPHost           string
	SMTPPort           int
	SMTPUsername       string
	SMTPPassword       string
	SMTPFrom           string
	SMTPTLS            string
	SMSGatewayURL      string
	SMSGatewayToken    string
	SMSGatewaySender   string
	// AdminToken, when set, enables the admin JSON API under /api/v1/admin/ for callers that
	// present it as a bearer token.
	AdminToken string
	// RedisURL, when set, keeps rate-limit counters in Redis instead of the database.
	RedisURL string
	// RememberDeviceTTL is how long a device that passed the second factor skips it.
	RememberDeviceTTL time.Duration
	// DeletionRetention is how long a deleted account can be restored at a service center
	// before its personal data are erased.
	DeletionRetention time.Duration
	// LetterCodeTTL is how long the code of a registered letter is valid after it is sent;
	// LetterReminder is when an unused code is recalled to the citizen.
	LetterCodeTTL  time.Duration
	LetterReminder time.Duration
}

// Bind registers the serve flags on fs and returns the Config they fill.
func Bind(fs *pflag.FlagSet) *Config {
	c := &Config{}
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.DB, "db", "sqlite:./civis-data/civis.db", "database: sqlite:PATH or postgres://URL")
	fs.StringVar(&c.Issuer, "issuer", "", "public base URL (default http://<addr>)")
	fs.BoolVar(&c.Dev, "dev", false, "development mode: messages go to the dev outbox at /dev/outbox, the keys file is created if missing")
	fs.StringVar(&c.KeysFile, "keys-file", "./civis-data/keys.json", "personal-data encryption keys (created in --dev)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.DurationVar(&c.SessionLifetime, "session-lifetime", 12*time.Hour, "sign-in session lifetime")
	fs.DurationVar(&c.SessionIdle, "session-idle", 30*time.Minute, "sign-in session idle timeout")
	fs.Uint32Var(&c.Argon2Memory, "argon2-memory", 19456, "argon2id memory in KiB")
	fs.Uint32Var(&c.Argon2Time, "argon2-time", 2, "argon2id iterations")
	fs.Uint8Var(&c.Argon2Threads, "argon2-threads", 1, "argon2id parallelism")
	fs.IntVar(&c.HashConcurrency, "hash-concurrency", 0, "password hashes computed at once (default: CPU count)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", 0, "database connections (default: 4 x CPU count)")
	fs.IntVar(&c.Workers, "workers", 32, "background jobs run at once on this node (they mostly wait on registries, SMTP and SMS gateways)")
	fs.DurationVar(&c.JobLease, "job-lease", 2*time.Minute, "how long a claimed job is reserved; after a crash it runs again once this has passed")
	fs.StringSliceVar(&c.TrustedProxies, "trusted-proxies", nil, "CIDRs of proxies whose X-Forwarded-For is believed")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "grace period for requests on SIGTERM")
	fs.DurationVar(&c.RegistrationTTL, "registration-ttl", 30*time.Minute, "lifetime of a registration flow")
	fs.DurationVar(&c.CodeTTL, "code-ttl", 300*time.Second, "validity of a one-time code")
	fs.DurationVar(&c.ResendCooldown, "code-resend-cooldown", 60*time.Second, "wait between two codes to one contact")
	fs.Float64Var(&c.RateLimitScale, "rate-limit-scale", 1, "multiply every rate limit (e.g. 100 for a load test on one IP)")
	fs.StringVar(&c.Registry, "registry", "", "state registries: simulator, http or none (default: simulator with --dev, else none)")
	fs.StringVar(&c.RegistryURL, "registry-url", "", "base URL of the interagency gateway (--registry http)")
	fs.StringVar(&c.RegistryToken, "registry-token", "", "bearer token for the gateway")
	fs.StringVar(&c.RegistryClientCert, "registry-client-cert", "", "client certificate file for mutual TLS with the gateway")
	fs.StringVar(&c.RegistryClientKey, "registry-client-key", "", "its private key file")
	fs.DurationVar(&c.RegistryTimeout, "registry-timeout", 10*time.Second, "timeout of one registry call")
	fs.DurationVar(&c.RegistryDeadline, "registry-deadline", 5*24*time.Hour, "a check not answered by then fails with registry_timeout")
	fs.StringVar(&c.SimulatorData, "simulator-data", "", "persons file (JSON or CSV) of the registry simulator (default: the embedded sample)")
	fs.BoolVar(&c.SimulatorStrict, "simulator-strict", false, "the simulator verifies only persons in its data file (default: any well-formed data)")
	fs.DurationVar(&c.SimulatorDelay, "simulator-delay", 0, "the simulator's answer delay")
	fs.Float64Var(&c.SimulatorErrorRate, "simulator-error-rate", 0, "share of simulator calls that fail as unavailable (0..1)")
	fs.StringVar(&c.SimulatorOutages, "simulator-outages", "", "simulator outage windows: daily HH:MM-HH:MM or RFC3339/RFC3339, comma-separated")
	fs.StringVar(&c.SMTPHost, "smtp-host", "", "SMTP server for email (required without --dev)")
	fs.IntVar(&c.SMTPPort, "smtp-port", 0, "SMTP port (default: 587 for starttls, 465 for tls, 25 for none)")
	fs.StringVar(&c.SMTPUsername, "smtp-username", "", "SMTP user (optional)")
	fs.StringVar(&c.SMTPPassword, "smtp-password", "", "SMTP password (optional)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", "", "sender address of emails")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", "starttls", "SMTP TLS: starttls, tls or none")
	fs.StringVar(&c.SMSGatewayURL, "sms-gateway-url", "", "HTTP SMS gateway endpoint (required without --dev)")
	fs.StringVar(&c.SMSGatewayToken, "sms-gateway-token", "", "bearer token for the SMS gateway")
	fs.StringVar(&c.SMSGatewaySender, "sms-gateway-sender", "", "sender name passed to the SMS gateway")
	fs.StringVar(&c.AdminToken, "admin-token", "", "bearer token that enables the admin API under /api/v1/admin/ (at least 32 characters; prefer the environment variable)")
	fs.StringVar(&c.RedisURL, "redis-url", "", "Redis for rate-limit counters, e.g. redis://127.0.0.1:6379/0 (default: the database)")
	fs.DurationVar(&c.RememberDeviceTTL, "remember-device-ttl", 30*24*time.Hour, "how long \"remember this device\" skips the second factor")
	fs.DurationVar(&c.DeletionRetention, "deletion-retention", 720*time.Hour, "how long a deleted account can be restored before its personal data are erased")
	fs.DurationVar(&c.LetterCodeTTL, "letter-code-ttl", 720*time.Hour, "how long the code of a registered letter is valid after the letter is sent")
	fs.DurationVar(&c.LetterReminder, "letter-reminder", 336*time.Hour, "when to remind the citizen of a letter's unused code, after sending (0: never)")
	return c
}

// EnvName is the environment variable that sets the flag name.
func EnvName(flag string) string {
	return "CIVIS_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// configNames are the flags Bind registers; only they read CIVIS_* variables, so that a
// command's own flags (a client's name, say) are never filled from the environment.
var configNames = func() map[string]bool {
	fs := pflag.NewFlagSet("names", pflag.ContinueOnError)
	Bind(fs)
	names := map[string]bool{}
	fs.VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
	return names
}()

// ApplyEnv sets every configuration flag not given on the command line from its CIVIS_*
// variable.
func ApplyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || !configNames[f.Name] {
			return
		}
		if v := getenv(EnvName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvName(f.Name), err))
			}
		}
	})
	return errors.Join(errs...)
}

// Validate checks the configuration for serving and fills derived defaults (the issuer).
func (c *Config) Validate() error { return c.validate(true) }

// ValidateStorage checks only what maintenance commands (migrate, jobs) need: the database
// and the keys; message delivery settings are not required there.
func (c *Config) ValidateStorage() error { return c.validate(false) }

func (c *Config) validate(serving bool) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("--addr %q: want host:port", c.Addr)
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		bad("--db: want sqlite:PATH or a postgres:// URL")
	}
	if c.Issuer == "" {
		c.Issuer = "http://" + c.Addr
	}
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad("--issuer %q: want an absolute http(s) URL without query or fragment", c.Issuer)
	}
	c.Issuer = strings.TrimSuffix(c.Issuer, "/")
	if c.Argon2Memory < 19456 || c.Argon2Time < 1 || c.Argon2Threads < 1 {
		bad("--argon2-*: at least memory 19456 KiB, time 1, threads 1 (OWASP minimum)")
	}
	if c.SessionLifetime < time.Minute || c.SessionIdle < time.Minute {
		bad("--session-lifetime and --session-idle must be at least 1m")
	}
	if c.CodeTTL < 30*time.Second || c.RegistrationTTL < c.CodeTTL {
		bad("--code-ttl must be at least 30s and --registration-ttl at least --code-ttl")
	}
	switch c.Registry {
	case "":
		c.Registry = "none"
		if c.Dev {
			c.Registry = "simulator"
		}
	case "simulator", "none":
	case "http":
		if c.RegistryURL == "" {
			bad("--registry http needs --registry-url")
		}
	default:
		bad("--registry %q: want simulator, http or none", c.Registry)
	}
	if c.SimulatorErrorRate < 0 || c.SimulatorErrorRate > 1 {
		bad("--simulator-error-rate must be between 0 and 1")
	}
	if c.JobLease < time.Second {
		bad("--job-lease must be at least 1s")
	}
	if c.RateLimitScale <= 0 {
		bad("--rate-limit-scale must be positive")
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			bad("--trusted-proxies %q: want a CIDR such as 10.0.0.0/8", p)
		}
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		bad("--redis-url: want redis://host:port/db or rediss://...")
	}
	if c.RememberDeviceTTL < 0 {
		bad("--remember-device-ttl must not be negative (0 turns remembering off)")
	}
	if c.DeletionRetention < 0 {
		bad("--deletion-retention must not be negative")
	}
	if c.LetterCodeTTL < time.Hour || c.LetterReminder < 0 || c.LetterReminder >= c.LetterCodeTTL {
		bad("--letter-code-ttl must be at least 1h and --letter-reminder between 0 and --letter-code-ttl")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("--log-format %q: want text or json", c.LogFormat)
	}
	if serving && c.AdminToken != "" && len(c.AdminToken) < 32 {
		bad("--admin-token: at least 32 characters (for example: openssl rand -hex 32)")
	}
	if serving && !c.Dev {
		if c.SMTPHost == "" || c.SMTPFrom == "" {
			bad("--smtp-host and --smtp-from are required without --dev (email delivery)")
		}
		if c.SMSGatewayURL == "" {
			bad("--sms-gateway-url is required without --dev (SMS delivery)")
		}
	}
	return errors.Join(errs...)
}
