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

// TestBenchEmitTokens: --emit-tokens prints access tokens that the userinfo endpoint accepts,
// for driving it with another load generator.
func TestBenchEmitTokens(t *testing.T) {
	env := apptest.New(t)
	ctx, stop := context.WithCancel(context.Background())
	delivered := make(chan struct{})
	defer func() { stop(); <-delivered }()
	go func() { // deliver the registration codes, as a serving node's job runner would
		defer close(delivered)
		for ctx.Err() == nil {
			env.App.Runner.RunOnce(ctx)
			time.Sleep(10 * time.Millisecond)
		}
	}()
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
