package oidc_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
)

// TestOpenIDClientNode runs the code flow with panva's openid-client for Node.js, an OpenID
// Certified and deliberately strict relying-party library (it checks the RFC 9207 iss
// parameter, PKCE, nonce, at_hash and the discovery document). It is vendored in testdata.
func TestOpenIDClientNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: skipping the openid-client (Node.js) relying-party test")
	}
	env := apptest.New(t)
	sess := citizen(t, env, "+79161140001")
	x := newRP(t, env, rp.Input{Scopes: []string{"fullname", "offline_access"}})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "flow.mjs", env.URL, x.client.ID, x.secret, x.cfg.RedirectURL)
	cmd.Dir = "testdata/openid-client"
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	out := bufio.NewScanner(stdout)
	out.Buffer(make([]byte, 1<<20), 1<<20)
	var first struct{ Authorize string }
	if !out.Scan() || json.Unmarshal(out.Bytes(), &first) != nil {
		t.Fatalf("openid-client did not start: %s", stderr.String())
	}
	callback := x.browse(sess, first.Authorize)
	_, _ = io.WriteString(stdin, callback+"\n")
	_ = stdin.Close()
	var res struct {
		IDTokenClaims map[string]any `json:"id_token_claims"`
		Userinfo      map[string]any `json:"userinfo"`
		RefreshedSub  string         `json:"refreshed_sub"`
		Introspection map[string]any `json:"introspection"`
		RevokedActive bool           `json:"revoked_active"`
	}
	if !out.Scan() || json.Unmarshal(out.Bytes(), &res) != nil {
		_ = cmd.Wait()
		t.Fatalf("openid-client failed: %s", stderr.String())
	}
	_ = cmd.Wait()
	if res.IDTokenClaims["sub"] != sess.AccountID || res.IDTokenClaims["acr"] != oidc.ACRSimplified {
		t.Errorf("id token claims = %v", res.IDTokenClaims)
	}
	if res.Userinfo["family_name"] != "Смирнова" || res.RefreshedSub != sess.AccountID {
		t.Errorf("userinfo = %v, refreshed sub = %q", res.Userinfo, res.RefreshedSub)
	}
	if res.Introspection["active"] != true || res.RevokedActive {
		t.Errorf("introspection = %v, after revocation active = %v", res.Introspection, res.RevokedActive)
	}
}

// browse performs the browser's part of an authorization that starts at authURL and returns
// the URL the browser is finally sent to at the RP.
func (x *relyingParty) browse(sess *session.Session, authURL string) string {
	x.t.Helper()
	loc := x.get(authURL)
	for range 10 {
		if strings.HasPrefix(loc, x.srv.URL) {
			return loc
		}
		u, _ := url.Parse(loc)
		if u.Path == oidc.PathLogin {
			step, err := x.env.App.OIDC.Approve(context.Background(), u.Query().Get("id"), sess)
			if err != nil {
				x.t.Fatal(err)
			}
			loc = step.Redirect
			continue
		}
		loc = x.get(loc)
	}
	x.t.Fatalf("the authorization did not return to the RP")
	return ""
}
