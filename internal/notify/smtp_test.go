package notify

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a minimal SMTP server on loopback that records what it
// receives. It speaks greeting, EHLO, AUTH PLAIN/LOGIN, NOOP, MAIL, RCPT,
// DATA, RSET and QUIT, without STARTTLS.
type smtpServer struct {
	ln        net.Listener
	authMechs string // advertised in EHLO, e.g. "PLAIN LOGIN"
	rcptReply string // reply to RCPT TO

	mu    sync.Mutex
	auth  string // "user:password" as decoded from AUTH
	from  string
	rcpts []string
	data  string
}

// startSMTPServer listens on 127.0.0.1:0 until the test ends.
func startSMTPServer(t *testing.T, authMechs, rcptReply string) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &smtpServer{ln: ln, authMechs: authMechs, rcptReply: rcptReply}
	t.Cleanup(func() { _ = ln.Close() })
	go s.serve()
	return s
}

// config returns a sender configuration pointing at s.
func (s *smtpServer) config() SMTPConfig {
	return SMTPConfig{
		Host:     "127.0.0.1",
		Port:     s.ln.Addr().(*net.TCPAddr).Port,
		Username: "civis",
		Password: "s3cret",
		From:     "Civis <noreply@civis.test>",
		TLS:      SMTPNoTLS,
		Timeout:  5 * time.Second,
	}
}

func (s *smtpServer) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.handle(conn)
	}
}

func (s *smtpServer) handle(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	_ = tp.PrintfLine("220 test.local ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if !s.command(tp, strings.ToUpper(verb), arg) {
			return
		}
	}
}

// command answers one command; it returns false when the session ends.
func (s *smtpServer) command(tp *textproto.Conn, verb, arg string) bool {
	switch verb {
	case "EHLO":
		_ = tp.PrintfLine("250-test.local\r\n250-AUTH %s\r\n250 HELP", s.authMechs)
	case "AUTH":
		s.authenticate(tp, arg)
	case "MAIL":
		s.record(func() { s.from = arg })
		_ = tp.PrintfLine("250 2.1.0 ok")
	case "RCPT":
		s.record(func() { s.rcpts = append(s.rcpts, arg) })
		_ = tp.PrintfLine("%s", s.rcptReply)
	case "DATA":
		s.receiveData(tp)
	case "NOOP", "RSET":
		_ = tp.PrintfLine("250 2.0.0 ok")
	case "QUIT":
		_ = tp.PrintfLine("221 2.0.0 bye")
		return false
	default:
		_ = tp.PrintfLine("502 5.5.2 command not implemented")
	}
	return true
}

func (s *smtpServer) authenticate(tp *textproto.Conn, arg string) {
	mech, initial, _ := strings.Cut(arg, " ")
	switch mech {
	case "PLAIN":
		raw, _ := base64.StdEncoding.DecodeString(initial)
		parts := strings.Split(string(raw), "\x00")
		if len(parts) == 3 {
			s.record(func() { s.auth = parts[1] + ":" + parts[2] })
		}
	case "LOGIN":
		user := s.challenge(tp, "Username:")
		pass := s.challenge(tp, "Password:")
		s.record(func() { s.auth = user + ":" + pass })
	}
	_ = tp.PrintfLine("235 2.7.0 authentication succeeded")
}

// challenge sends a base64 prompt and returns the decoded answer.
func (s *smtpServer) challenge(tp *textproto.Conn, prompt string) string {
	_ = tp.PrintfLine("334 %s", base64.StdEncoding.EncodeToString([]byte(prompt)))
	line, _ := tp.ReadLine()
	raw, _ := base64.StdEncoding.DecodeString(line)
	return string(raw)
}

func (s *smtpServer) receiveData(tp *textproto.Conn) {
	_ = tp.PrintfLine("354 end data with <CR><LF>.<CR><LF>")
	data, err := io.ReadAll(tp.DotReader())
	if err != nil {
		return
	}
	s.record(func() { s.data = string(data) })
	_ = tp.PrintfLine("250 2.0.0 queued")
}

func (s *smtpServer) record(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// received returns a copy of what the server recorded.
func (s *smtpServer) received() (auth, from string, rcpts []string, data string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth, s.from, append([]string(nil), s.rcpts...), s.data
}

func testEmail() Message {
	return Message{
		ID:        "01890a5d-ac96-774b-bcce-b302099a8057",
		Channel:   Email,
		To:        "ivan.petrov@example.org",
		Subject:   "Код подтверждения Civis",
		Body:      "Здравствуйте!\nВаш код: 482913. Никому его не сообщайте.",
		CreatedAt: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC),
	}
}

func newTestSMTPSender(t *testing.T, c SMTPConfig) *SMTPSender {
	t.Helper()
	s, err := NewSMTPSender(c)
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

func TestSMTPSenderDelivers(t *testing.T) {
	for _, mechs := range []string{"PLAIN LOGIN", "LOGIN"} {
		t.Run(mechs, func(t *testing.T) {
			srv := startSMTPServer(t, mechs, "250 2.1.5 ok")
			m := testEmail()
			if err := newTestSMTPSender(t, srv.config()).Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			auth, from, rcpts, data := srv.received()
			if auth != "civis:s3cret" {
				t.Errorf("auth got %q, want %q", auth, "civis:s3cret")
			}
			if !strings.HasPrefix(from, "FROM:<noreply@civis.test>") {
				t.Errorf("MAIL got %q, want FROM:<noreply@civis.test>", from)
			}
			if len(rcpts) != 1 || !strings.HasPrefix(rcpts[0], "TO:<"+m.To+">") {
				t.Errorf("RCPT got %q, want TO:<%s>", rcpts, m.To)
			}
			checkMIME(t, data, m)
		})
	}
}

// checkMIME parses a received message and compares it with m.
func checkMIME(t *testing.T, data string, m Message) {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, data)
	}
	h := msg.Header
	want := map[string]string{
		"From":       `"Civis" <noreply@civis.test>`,
		"To":         "<" + m.To + ">",
		"Message-Id": "<" + m.ID + "@civis>",
		"Subject":    m.Subject,
	}
	for k, v := range want {
		got, err := new(mime.WordDecoder).DecodeHeader(h.Get(k))
		if err != nil || got != v {
			t.Errorf("header %s got %q (%v), want %q", k, got, err, v)
		}
	}
	if date, err := h.Date(); err != nil || !date.Equal(m.CreatedAt) {
		t.Errorf("Date got %v (%v), want %v", date, err, m.CreatedAt)
	}
	if ct := h.Get("Content-Type"); !strings.Contains(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "utf-8") {
		t.Errorf("Content-Type got %q, want text/plain; charset=UTF-8", ct)
	}
	checkBody(t, msg, m.Body)
}

func checkBody(t *testing.T, msg *netmail.Message, want string) {
	t.Helper()
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding got %q, want quoted-printable", cte)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("decode body: %v", err)
	}
	got := strings.ReplaceAll(strings.TrimRight(string(body), "\r\n"), "\r\n", "\n")
	if got != want {
		t.Errorf("body got %q, want %q", got, want)
	}
}

func TestSMTPSenderReplies(t *testing.T) {
	tests := []struct {
		reply         string
		wantPermanent bool
	}{
		{"550 5.1.1 <ivan.petrov@example.org>: recipient address rejected", true},
		{"451 4.3.0 <IVAN.PETROV@example.org>: try again later", false},
	}
	for _, tt := range tests {
		t.Run(tt.reply[:3], func(t *testing.T) {
			srv := startSMTPServer(t, "PLAIN LOGIN", tt.reply)
			m := testEmail()
			err := newTestSMTPSender(t, srv.config()).Send(context.Background(), m)
			if err == nil {
				t.Fatal("Send got nil error, want a failure")
			}
			if got := errors.Is(err, ErrPermanent); got != tt.wantPermanent {
				t.Errorf("errors.Is(%v, ErrPermanent) got %v, want %v", err, got, tt.wantPermanent)
			}
			if strings.Contains(strings.ToLower(err.Error()), "ivan.petrov") {
				t.Errorf("error %q reveals the recipient", err)
			}
		})
	}
}

func TestSMTPSenderConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	c := SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, From: "noreply@civis.test", TLS: SMTPNoTLS}
	_ = ln.Close()
	err = newTestSMTPSender(t, c).Send(context.Background(), testEmail())
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("Send to a closed port got %v, want a retryable error", err)
	}
}

func TestSMTPSenderRejectsBadMessages(t *testing.T) {
	s := newTestSMTPSender(t, SMTPConfig{Host: "127.0.0.1", Port: 1, From: "noreply@civis.test", TLS: SMTPNoTLS})
	tests := map[string]func(*Message){
		"sms channel":    func(m *Message) { m.Channel = SMS },
		"empty id":       func(m *Message) { m.ID = "" },
		"bad recipient":  func(m *Message) { m.To = "not an address" },
		"split subject":  func(m *Message) { m.Subject = "a\r\nBcc: x@example.org" },
		"header in id":   func(m *Message) { m.ID = "x>\r\nBcc: x@example.org" },
		"empty receiver": func(m *Message) { m.To = "" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			m := testEmail()
			mutate(&m)
			if err := s.Send(context.Background(), m); !errors.Is(err, ErrPermanent) {
				t.Errorf("Send got %v, want a permanent error", err)
			}
		})
	}
}

func TestSMTPConfigValidate(t *testing.T) {
	valid := SMTPConfig{Host: "smtp.example.org", From: "Civis <noreply@civis.example>"}
	tests := []struct {
		name   string
		mutate func(*SMTPConfig)
		want   string // substring of the error; "" means valid
	}{
		{"valid defaults", func(*SMTPConfig) {}, ""},
		{"valid full", func(c *SMTPConfig) {
			*c = SMTPConfig{Host: "mx", Port: 465, Username: "u", Password: "p", From: "a@b.c", TLS: "tls", Timeout: time.Second, HelloName: "civis.example"}
		}, ""},
		{"valid none", func(c *SMTPConfig) { c.TLS = "none" }, ""},
		{"no host", func(c *SMTPConfig) { c.Host = " " }, "smtp host is required"},
		{"bad port", func(c *SMTPConfig) { c.Port = 70000 }, "smtp port must be between 1 and 65535"},
		{"no from", func(c *SMTPConfig) { c.From = "" }, "smtp from address is required"},
		{"bad from", func(c *SMTPConfig) { c.From = "civis.example" }, "smtp from address is invalid"},
		{"bad tls", func(c *SMTPConfig) { c.TLS = "ssl" }, "smtp tls must be one of starttls, tls, none"},
		{"user without password", func(c *SMTPConfig) { c.Username = "u" }, "smtp password is required when a username is set"},
		{"password without user", func(c *SMTPConfig) { c.Password = "p" }, "smtp username is required when a password is set"},
		{"negative timeout", func(c *SMTPConfig) { c.Timeout = -time.Second }, "smtp timeout must not be negative"},
		{"bad hello", func(c *SMTPConfig) { c.HelloName = "a b" }, "smtp hello name must not contain spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.mutate(&c)
			checkValidateErr(t, c.Validate(), tt.want)
		})
	}
}

func TestSMTPConfigValidateJoinsProblems(t *testing.T) {
	err := SMTPConfig{TLS: "bogus"}.Validate()
	for _, want := range []string{"smtp host is required", "smtp from address is required", "smtp tls must be one of"} {
		checkValidateErr(t, err, want)
	}
}

// checkValidateErr fails unless err contains want, or is nil when want is "".
func checkValidateErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("Validate() got %v, want nil", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Errorf("Validate() got %v, want an error containing %q", err, want)
	}
}
