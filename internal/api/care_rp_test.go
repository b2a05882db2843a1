package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
)

// careRP is a relying party for the account-care tests: it gets an access and refresh token
// for a session and records the logout tokens sent to its back-channel endpoint.
type careRP struct {
	t       *testing.T
	env     *apptest.Env
	srv     *httptest.Server
	cfg     oauth2.Config
	mu      sync.Mutex
	logouts int
}

func newCareRP(t *testing.T, env *apptest.Env) *careRP {
	t.Helper()
	x := &careRP{t: t, env: env}
	x.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/backchannel" {
			x.mu.Lock()
			x.logouts++
			x.mu.Unlock()
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(x.srv.Close)
	c, secret, err := env.App.Clients.Create(context.Background(), rp.Input{Name: "Care site",
		RedirectURIs: []string{x.srv.URL + "/callback"}, BackchannelLogoutURI: x.srv.URL + "/backchannel",
		Scopes: []string{"fullname", "offline_access"}})
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	provider, err := gooidc.NewProvider(context.Background(), env.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	x.cfg = oauth2.Config{ClientID: c.ID, ClientSecret: secret, Endpoint: provider.Endpoint(),
		RedirectURL: x.srv.URL + "/callback", Scopes: []string{"openid", "fullname", "offline_access"}}
	return x
}

var careNoRedirects = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// tokens signs the session of bearer token in to the site (consenting) and returns its tokens.
func (x *careRP) tokens(token string) *oauth2.Token {
	x.t.Helper()
	ctx := context.Background()
	sess, err := x.env.App.Sessions.Authenticate(ctx, token)
	if err != nil {
		x.t.Fatalf("session: %v", err)
	}
	verifier := oauth2.GenerateVerifier()
	loc := x.cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "consent"))
	for range 10 {
		u, _ := url.Parse(loc)
		switch {
		case strings.HasPrefix(loc, x.srv.URL):
			tok, err := x.cfg.Exchange(ctx, u.Query().Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				x.t.Fatalf("exchange: %v", err)
			}
			if tok.RefreshToken == "" {
				x.t.Fatal("no refresh token")
			}
			return tok
		case u.Path == oidc.PathLogin:
			loc = x.step(sess, u.Query().Get("id"))
		default:
			resp, err := careNoRedirects.Get(loc)
			if err != nil {
				x.t.Fatal(err)
			}
			resp.Body.Close()
			loc = resp.Header.Get("Location")
		}
	}
	x.t.Fatal("the authorization did not come back")
	return nil
}

func (x *careRP) step(sess *session.Session, id string) string {
	x.t.Helper()
	ctx := context.Background()
	st, err := x.env.App.OIDC.Next(ctx, id, sess)
	if err == nil && st.Kind == oidc.StepConsent {
		st, err = x.env.App.OIDC.Approve(ctx, id, sess)
	}
	if err != nil {
		x.t.Fatalf("authorization step: %v", err)
	}
	return st.Redirect
}

// refreshes reports whether the refresh token still works.
func (x *careRP) refreshes(tok *oauth2.Token) bool {
	x.t.Helper()
	old := *tok
	old.Expiry = time.Now().Add(-time.Hour) // force a refresh
	_, err := x.cfg.TokenSource(context.Background(), &old).Token()
	return err == nil
}

// loggedOut returns how many logout tokens the site received.
func (x *careRP) loggedOut() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.logouts
}
