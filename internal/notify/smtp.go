package notify

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// The values of [SMTPConfig.TLS].
const (
	// SMTPStartTLS upgrades a plain connection with STARTTLS; it is mandatory:
	// a server that does not offer it is refused. Default port 587.
	SMTPStartTLS = "starttls"
	// SMTPImplicitTLS speaks TLS from the first byte. Default port 465.
	SMTPImplicitTLS = "tls"
	// SMTPNoTLS sends everything, credentials included, in plain text; use it
	// only for a relay on the same host or a trusted local network. Default
	// port 25.
	SMTPNoTLS = "none"
)

// defaultSMTPTimeout bounds connecting and each SMTP command.
const defaultSMTPTimeout = 15 * time.Second

// SMTPConfig configures an [SMTPSender].
type SMTPConfig struct {
	// Host is the SMTP server's name or IP address.
	Host string
	// Port is the server's port; 0 means the default of the TLS mode.
	Port int
	// Username and Password enable AUTH PLAIN (or LOGIN) when Username is set.
	Username, Password string
	// From is the sender address, optionally with a display name:
	// "Civis <noreply@civis.example>".
	From string
	// TLS is "starttls" (the default, mandatory), "tls" (implicit TLS) or
	// "none" (plain; only for local relays).
	TLS string
	// Timeout bounds connecting and each SMTP command; 0 means 15 seconds.
	Timeout time.Duration
	// HelloName is the name sent with EHLO; empty means the local host name.
	HelloName string
}

// Validate reports every problem of c, joined into one error.
func (c SMTPConfig) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Host) == "" {
		errs = append(errs, errors.New("smtp host is required"))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, errors.New("smtp port must be between 1 and 65535"))
	}
	errs = append(errs, c.validateFrom(), c.validateAuth())
	if !slices.Contains([]string{"", SMTPStartTLS, SMTPImplicitTLS, SMTPNoTLS}, c.TLS) {
		errs = append(errs, errors.New("smtp tls must be one of starttls, tls, none"))
	}
	if c.Timeout < 0 {
		errs = append(errs, errors.New("smtp timeout must not be negative"))
	}
	if strings.ContainsFunc(c.HelloName, isSpaceOrControl) {
		errs = append(errs, errors.New("smtp hello name must not contain spaces or control characters"))
	}
	return errors.Join(errs...)
}

// validateFrom checks the sender address.
func (c SMTPConfig) validateFrom() error {
	if c.From == "" {
		return errors.New("smtp from address is required")
	}
	if _, err := netmail.ParseAddress(c.From); err != nil {
		return errors.New("smtp from address is invalid")
	}
	return nil
}

// validateAuth checks that credentials come in pairs.
func (c SMTPConfig) validateAuth() error {
	switch {
	case c.Username == "" && c.Password != "":
		return errors.New("smtp username is required when a password is set")
	case c.Username != "" && c.Password == "":
		return errors.New("smtp password is required when a username is set")
	}
	return nil
}

// isSpaceOrControl reports whether r may not appear in an SMTP command word.
func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

// SMTPSender delivers [Email] messages through an SMTP server, one
// connection per message.
type SMTPSender struct {
	cfg SMTPConfig
}

// NewSMTPSender validates c and returns a sender for it.
func NewSMTPSender(c SMTPConfig) (*SMTPSender, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.TLS == "" {
		c.TLS = SMTPStartTLS
	}
	if c.Timeout == 0 {
		c.Timeout = defaultSMTPTimeout
	}
	s := &SMTPSender{cfg: c}
	if _, err := s.client(); err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return s, nil
}

// Send delivers m over one new SMTP connection. A 5xx reply from the server
// is permanent; 4xx replies, network errors and timeouts are retryable.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := m.check(Email); err != nil {
		return err
	}
	msg, err := s.compose(m)
	if err != nil {
		return Permanent(redact(err, m.To))
	}
	client, err := s.client()
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	err = client.DialAndSendWithContext(ctx, msg)
	return classifySMTP(redact(err, m.To))
}

// compose builds the MIME message: UTF-8, quoted-printable plain text.
func (s *SMTPSender) compose(m Message) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
	if err := msg.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("smtp from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("smtp recipient address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@civis")
	msg.SetDateWithValue(dateOf(m))
	msg.SetUserAgent("Civis")
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	return msg, nil
}

// dateOf returns the Date header value of m: its creation time, or now.
func dateOf(m Message) time.Time {
	if m.CreatedAt.IsZero() {
		return time.Now()
	}
	return m.CreatedAt
}

// client returns a go-mail client for one delivery. A fresh client per
// message keeps the authentication state of concurrent sends apart.
func (s *SMTPSender) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case SMTPImplicitTLS:
		opts = append(opts, mail.WithSSL(), mail.WithPort(portOr(s.cfg.Port, mail.DefaultPortSSL)))
	case SMTPNoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS), mail.WithPort(portOr(s.cfg.Port, mail.DefaultPort)))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithPort(portOr(s.cfg.Port, mail.DefaultPortTLS)))
	}
	if s.cfg.HelloName != "" {
		opts = append(opts, mail.WithHELO(s.cfg.HelloName))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuthCustom(s.newAuth()))
	}
	return mail.NewClient(s.cfg.Host, opts...)
}

// portOr returns port, or def when port is 0.
func portOr(port, def int) int {
	if port == 0 {
		return def
	}
	return port
}

// newAuth returns the PLAIN-or-LOGIN authenticator for one connection.
func (s *SMTPSender) newAuth() *plainOrLogin {
	return &plainOrLogin{
		username:   s.cfg.Username,
		password:   s.cfg.Password,
		host:       s.cfg.Host,
		allowPlain: s.cfg.TLS == SMTPNoTLS,
	}
}

// plainOrLogin authenticates with AUTH PLAIN when the server offers it and
// with AUTH LOGIN otherwise; it never uses another mechanism. Credentials
// are sent unencrypted only in the "none" TLS mode.
type plainOrLogin struct {
	username, password, host string
	allowPlain               bool
	next                     smtp.Auth
}

// Start picks the mechanism from those the server advertises.
func (a *plainOrLogin) Start(server *smtp.ServerInfo) (string, []byte, error) {
	switch {
	case slices.Contains(server.Auth, "PLAIN"):
		a.next = smtp.PlainAuth("", a.username, a.password, a.host, a.allowPlain)
	case slices.Contains(server.Auth, "LOGIN"):
		a.next = smtp.LoginAuth(a.username, a.password, a.host, a.allowPlain)
	default:
		return "", nil, errors.New("smtp server offers neither AUTH PLAIN nor AUTH LOGIN")
	}
	return a.next.Start(server)
}

// Next continues the chosen mechanism.
func (a *plainOrLogin) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.next.Next(fromServer, more)
}

// classifySMTP prefixes err and marks it permanent when the server answered
// with a 5xx reply.
func classifySMTP(err error) error {
	if err == nil {
		return nil
	}
	err = fmt.Errorf("smtp: %w", err)
	if code := smtpReplyCode(err); code >= 500 && code <= 599 {
		return Permanent(err)
	}
	return err
}

// smtpReplyCode returns the SMTP reply code carried by err, or 0.
func smtpReplyCode(err error) int {
	var sendErr *mail.SendError
	if errors.As(err, &sendErr) {
		return sendErr.ErrorCode()
	}
	var protoErr *textproto.Error
	if errors.As(err, &protoErr) {
		return protoErr.Code
	}
	return 0
}

// Interface guards.
var (
	_ Sender    = (*SMTPSender)(nil)
	_ smtp.Auth = (*plainOrLogin)(nil)
)
