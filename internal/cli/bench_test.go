package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/cli"
)

// TestBenchOIDCReadScenarios runs the userinfo and introspection scenarios (sent with
// fasthttp) against a server: every request is answered as the scenario expects (a subject,
// an active token), so a wrong credential or a misread answer would show as errors.
func TestBenchOIDCReadScenarios(t *testing.T) {
	env := apptest.New(t)
	stop := deliverCodes(env)
	defer stop()
	var out, errOut bytes.Buffer
	code := cli.Run([]string{"bench", "oidc", "--url", env.URL, "--accounts", "1", "--sessions", "1",
		"--accounts-file", filepath.Join(t.TempDir(), "accounts.json"), "--scenarios", "userinfo,introspection",
		"--concurrencies", "2", "--duration", "300ms", "--warmup", "0s"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("bench oidc = %d: %s", code, errOut.String())
	}
	report := out.String()
	for _, name := range []string{"userinfo", "introspection"} {
		if !strings.Contains(report, "scenario       "+name) {
			t.Errorf("no %s run in:\n%s", name, report)
		}
	}
	if n := strings.Count(report, ", 0 errors"); n != 2 || strings.Contains(report, "requests       0 in") {
		t.Errorf("want two runs with requests and no errors:\n%s", report)
	}
}

// deliverCodes runs env's jobs (the registration codes) until the returned stop is called,
// as a serving node's job runner would.
func deliverCodes(env *apptest.Env) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	delivered := make(chan struct{})
	go func() {
		defer close(delivered)
		for ctx.Err() == nil {
			env.App.Runner.RunOnce(ctx)
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return func() { cancel(); <-delivered }
}

// TestBenchEmitTokens: --emit-tokens prints access tokens that the userinfo endpoint accepts,
// for driving it with another load generator.
func TestBenchEmitTokens(t *testing.T) {
	env := apptest.New(t)
	stop := deliverCodes(env)
	defer stop()
	var out, errOut bytes.Buffer
	code := cli.Run([]string{"bench", "oidc", "--url", env.URL, "--accounts", "1", "--sessions", "1",
		"--accounts-file", filepath.Join(t.TempDir(), "accounts.json"), "--emit-tokens", "2"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("bench oidc --emit-tokens = %d: %s", code, errOut.String())
	}
	tokens := strings.Fields(out.String())
	if len(tokens) != 2 || tokens[0] == tokens[1] {
		t.Fatalf("printed %q, want two different tokens", out.String())
	}
	for _, tok := range tokens {
		req, _ := http.NewRequest("GET", env.URL+"/oidc/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("userinfo with an emitted token = %d", resp.StatusCode)
		}
	}
}
