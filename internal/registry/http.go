package registry

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// defaultHTTPTimeout bounds one request to the gateway.
const defaultHTTPTimeout = 10 * time.Second

// Gateway paths, below [HTTPConfig.BaseURL].
const (
	pathSNILS    = "/snils/check"
	pathDocument = "/documents/check"
	pathINN      = "/inn/check"
)

// HTTPConfig configures an [HTTP] connector. docs/registries.md describes
// the contract.
type HTTPConfig struct {
	// BaseURL is the gateway's absolute http(s) URL; the check paths are
	// appended to it.
	BaseURL string
	// Token, when set, is sent as "Authorization: Bearer <Token>".
	Token string
	// ClientCert and ClientKey are PEM files of a TLS client certificate,
	// both or neither.
	ClientCert, ClientKey string
	// Timeout bounds one request; 0 means 10 seconds.
	Timeout time.Duration
}

// Validate reports every problem of c that does not need its files.
func (c HTTPConfig) Validate() error {
	var errs []error
	u, err := url.Parse(c.BaseURL)
	if c.BaseURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, errors.New("registry gateway url must be an absolute http or https url without query"))
	} else if u.User != nil {
		errs = append(errs, errors.New("registry gateway url must not hold credentials"))
	}
	if (c.ClientCert == "") != (c.ClientKey == "") {
		errs = append(errs, errors.New("registry gateway client certificate and key go together"))
	}
	if c.Token == "" && c.ClientCert == "" {
		errs = append(errs, errors.New("registry gateway needs a token or a client certificate"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("registry gateway timeout must not be negative"))
	}
	return errors.Join(errs...)
}

// HTTP checks persons at an interagency gateway over HTTP, one attempt per
// check. It is safe for concurrent use.
type HTTP struct {
	cfg    HTTPConfig
	base   string
	client *http.Client
}

// NewHTTP validates cfg, loads its client certificate and returns the
// connector. A nil client means an own client that does not follow
// redirects; a given one (for tests, proxies) is used as is, except that a
// client certificate is set on a clone of its *http.Transport.
func NewHTTP(cfg HTTPConfig, client *http.Client) (*HTTP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultHTTPTimeout
	}
	if client == nil {
		client = &http.Client{CheckRedirect: noRedirect}
	}
	if cfg.ClientCert != "" {
		var err error
		if client, err = withClientCert(client, cfg.ClientCert, cfg.ClientKey); err != nil {
			return nil, err
		}
	}
	return &HTTP{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), client: client}, nil
}

// withClientCert returns a copy of client whose transport presents the
// certificate in certFile and keyFile.
func withClientCert(client *http.Client, certFile, keyFile string) (*http.Client, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("registry gateway client certificate: %w", err)
	}
	var tr *http.Transport
	switch t := client.Transport.(type) {
	case nil:
		tr = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, errors.New("registry gateway client certificate needs an *http.Transport")
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	c := *client
	c.Transport = tr
	return &c, nil
}

// noRedirect makes an http.Client return a redirect response as it is.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Registries returns h as all three checkers.
func (h *HTTP) Registries() Registries {
	return Registries{SNILS: h, Document: h, INN: h}
}

// Interface guards.
var (
	_ SNILSChecker    = (*HTTP)(nil)
	_ DocumentChecker = (*HTTP)(nil)
	_ INNChecker      = (*HTTP)(nil)
)
