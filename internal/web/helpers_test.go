package web_test

import (
	"bytes"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/web"
)

// linkRE finds the one-click link of a code email.
var linkRE = regexp.MustCompile(`https?://[^/\s]+(/register/[^/\s]+/confirm\?\S+)`)

// emailLink returns the path and query of the one-click link in the newest email to to.
func emailLink(t testing.TB, env *apptest.Env, to string) string {
	t.Helper()
	msgs := env.Messages(to)
	if len(msgs) == 0 {
		t.Fatalf("no email to %s", to)
	}
	m := linkRE.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		t.Fatalf("no confirmation link in the email to %s", to)
	}
	return m[1]
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pagesOnly serves the pages over env's services with accounts in place of the store and a
// logger whose output it returns, wrapped as the composition root wraps them.
func pagesOnly(t testing.TB, env *apptest.Env, accounts account.Store) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	mux := http.NewServeMux()
	(&web.Handler{Flows: env.App.Flows, Sessions: env.App.Sessions, Accounts: accounts, Logger: log, Dev: true}).Mount(mux)
	srv := httptest.NewServer(httpx.Logging(log, nil, httpx.SecurityHeaders(false, mux)))
	t.Cleanup(srv.Close)
	return srv, logs
}

// client is a browser without JavaScript: it keeps cookies, does not follow redirects, and
// sends a fixed Accept-Language.
type client struct {
	t    testing.TB
	base string
	lang string
	hc   *http.Client
}

func newClient(t testing.TB, base, lang string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, lang: lang, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is an answer read whole.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location() string { return r.header.Get("Location") }

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// cookie returns the value of the client's cookie name, or "".
func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

var (
	inlineScriptRE = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	inputIDRE      = regexp.MustCompile(`<input id="([^"]+)"`)
	untranslatedRE = regexp.MustCompile(`⟦[^⟧]*⟧`)
)

// checkPage checks the status, that the body holds every want, and what every page must be:
// translated, free of inline scripts and styles (the CSP forbids them), with labelled inputs.
func checkPage(t *testing.T, res response, status int, want ...string) {
	t.Helper()
	if res.status != status {
		t.Errorf("status %d, want %d", res.status, status)
	}
	text := html.UnescapeString(res.body)
	for _, w := range want {
		if !strings.Contains(res.body, w) && !strings.Contains(text, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if m := untranslatedRE.FindString(res.body); m != "" {
		t.Errorf("page has an untranslated message %s", m)
	}
	for _, tag := range inlineScriptRE.FindAllString(res.body, -1) {
		if !strings.Contains(tag, " src=") {
			t.Errorf("inline script %s", tag)
		}
	}
	if strings.Contains(res.body, "<style") || strings.Contains(res.body, " style=") {
		t.Error("page has inline styles")
	}
	for _, m := range inputIDRE.FindAllStringSubmatch(res.body, -1) {
		if !strings.Contains(res.body, `for="`+m[1]+`"`) {
			t.Errorf("input %s has no label", m[1])
		}
	}
	if t.Failed() {
		t.Logf("body:\n%s", res.body)
	}
}

// checkInvalid checks that each input id is marked invalid and described by its error.
func checkInvalid(t *testing.T, body string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		tag := regexp.MustCompile(`<input id="` + id + `"[^>]*>`).FindString(body)
		describedBy := regexp.MustCompile(`aria-describedby="[^"]*\b` + id + `-error\b`)
		if !strings.Contains(tag, `aria-invalid="true"`) || !describedBy.MatchString(tag) {
			t.Errorf("input %s is not tied to its error: %s", id, tag)
		}
		if !strings.Contains(body, `id="`+id+`-error"`) {
			t.Errorf("no error element %s-error", id)
		}
	}
}
