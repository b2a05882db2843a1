package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"
	"unicode/utf8"
)

// defaultSMSTimeout bounds one request to the SMS gateway.
const defaultSMSTimeout = 10 * time.Second

// Limits on what is read from a gateway response.
const (
	maxDrain   = 64 << 10 // read and discarded so the connection can be reused
	maxErrBody = 200      // quoted in an error
)

// maxSenderLen is the longest alphanumeric sender name GSM allows.
const maxSenderLen = 11

// SMSGatewayConfig configures an [SMSGateway]. docs/sms-gateway.md describes
// the HTTP contract.
type SMSGatewayConfig struct {
	// URL is the absolute http(s) URL that messages are POSTed to.
	URL string
	// Token is sent as "Authorization: Bearer <Token>".
	Token string
	// Timeout bounds one request; 0 means 10 seconds.
	Timeout time.Duration
	// Sender is an optional alphanumeric sender name (at most 11 characters).
	Sender string
}

// validSender matches sender names that GSM networks display.
var validSender = regexp.MustCompile(`^[A-Za-z0-9 ._-]+$`)

// Validate reports every problem of c, joined into one error.
func (c SMSGatewayConfig) Validate() error {
	var errs []error
	errs = append(errs, validateGatewayURL(c.URL))
	if c.Token == "" {
		errs = append(errs, errors.New("sms gateway token is required"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("sms gateway timeout must not be negative"))
	}
	if c.Sender != "" && (len(c.Sender) > maxSenderLen || !validSender.MatchString(c.Sender)) {
		errs = append(errs, errors.New("sms gateway sender must be at most 11 latin letters, digits, spaces, dots, dashes or underscores"))
	}
	return errors.Join(errs...)
}

// validateGatewayURL checks that raw is an absolute http or https URL.
func validateGatewayURL(raw string) error {
	if raw == "" {
		return errors.New("sms gateway url is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("sms gateway url must be an absolute http or https url")
	}
	return nil
}

// SMSGateway delivers [SMS] messages to an HTTP SMS gateway.
type SMSGateway struct {
	cfg    SMSGatewayConfig
	client *http.Client
}

// NewSMSGateway returns a gateway client for c, which the caller has
// validated. A nil client means an own client with c.Timeout that does not
// follow redirects.
func NewSMSGateway(c SMSGatewayConfig, client *http.Client) *SMSGateway {
	if c.Timeout == 0 {
		c.Timeout = defaultSMSTimeout
	}
	if client == nil {
		client = &http.Client{Timeout: c.Timeout, CheckRedirect: noRedirect}
	}
	return &SMSGateway{cfg: c, client: client}
}

// noRedirect makes an http.Client return a redirect response as it is.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// smsRequest is the JSON body POSTed to the gateway.
type smsRequest struct {
	ID     string `json:"id"`
	To     string `json:"to"`
	Text   string `json:"text"`
	Sender string `json:"sender,omitempty"`
}

// Send POSTs m to the gateway. 2xx means the gateway accepted it; see
// [classifyStatus] for the rest. Errors never contain m.To or m.Body.
func (g *SMSGateway) Send(ctx context.Context, m Message) error {
	if err := m.check(SMS); err != nil {
		return err
	}
	req, err := g.newRequest(ctx, m)
	if err != nil {
		return Permanent(fmt.Errorf("sms gateway request: %w", err))
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return redact(fmt.Errorf("sms gateway: %w", err), m.To, m.Body)
	}
	defer closeBody(resp.Body)
	return classifyStatus(resp, m)
}

// newRequest builds the POST request for m.
func (g *SMSGateway) newRequest(ctx context.Context, m Message) (*http.Request, error) {
	body, err := json.Marshal(smsRequest{ID: m.ID, To: m.To, Text: m.Body, Sender: g.cfg.Sender})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+g.cfg.Token)
	req.Header.Set("Idempotency-Key", m.ID)
	return req, nil
}

// closeBody drains a bounded amount of body, so that the connection can be
// reused, and closes it.
func closeBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}

// classifyStatus turns a gateway response into nil (2xx), a permanent error
// (4xx other than 408, 409, 425 and 429) or a retryable error (all else).
func classifyStatus(resp *http.Response, m Message) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	err := fmt.Errorf("sms gateway: status %d: %q", resp.StatusCode, errorSnippet(resp.Body, m))
	if isPermanentStatus(resp.StatusCode) {
		return Permanent(err)
	}
	return err
}

// isPermanentStatus reports whether repeating a request that got code
// cannot succeed.
func isPermanentStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	return code >= 400 && code <= 499
}

// phoneLike matches digit runs that may be a phone number echoed back.
var phoneLike = regexp.MustCompile(`\+?[0-9]{7,}`)

// codeLike matches digit runs in a message text, such as one-time codes.
var codeLike = regexp.MustCompile(`[0-9]{4,}`)

// errorSnippet returns up to maxErrBody bytes of a response body without the
// recipient, the text, the numbers in the text (in case the gateway echoes it
// in another encoding) and anything like a phone number.
func errorSnippet(body io.Reader, m Message) string {
	raw, _ := io.ReadAll(io.LimitReader(body, 4*maxErrBody))
	secrets := append([]string{m.To, m.Body}, codeLike.FindAllString(m.Body, -1)...)
	s := redactText(string(raw), secrets...)
	s = phoneLike.ReplaceAllLiteralString(s, "[redacted]")
	return truncateUTF8(s, maxErrBody)
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Interface guard.
var _ Sender = (*SMSGateway)(nil)
