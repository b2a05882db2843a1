package oidc_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
)

// benchRP sets up a node, a citizen and a client with tokens for the benchmarks below.
func benchRP(b *testing.B) (*relyingParty, *oauth2.Token, *session.Session) {
	env := apptest.New(b)
	x := newRP(b, env, rp.Input{Scopes: []string{"fullname", "offline_access"}})
	sess := citizen(b, env, "+79161150001")
	q, v := x.authorize(sess, oauth2.SetAuthURLParam("scope", "openid fullname offline_access"))
	tok, _, _ := x.exchange(q, v)
	return x, tok, sess
}

// processCPU is the CPU time (user + system) this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds "cpu-µs/op": the CPU of the whole process (server and client, as both run
// here) per operation since start, steadier than ns/op on a shared machine.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((processCPU()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// drain reads and closes a body so that the connection is reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 10 * time.Second}

func benchPost(b *testing.B, x *relyingParty, endpoint string, form url.Values) {
	req, _ := http.NewRequest("POST", endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(x.client.ID), url.QueryEscape(x.secret))
	resp, err := benchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	drain(resp)
	if resp.StatusCode != 200 {
		b.Fatalf("%s = %d", endpoint, resp.StatusCode)
	}
}

// BenchmarkUserinfo measures GET /oidc/userinfo with one access token (a read of the token,
// the account, and one audited release per call), 16 concurrent clients per core.
func BenchmarkUserinfo(b *testing.B) {
	x, tok, _ := benchRP(b)
	endpoint := x.provider.UserInfoEndpoint()
	b.SetParallelism(8)
	b.ResetTimer()
	defer reportCPU(b, processCPU())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", endpoint, nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			resp, err := benchClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			drain(resp)
			if resp.StatusCode != 200 {
				b.Fatalf("userinfo = %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkIntrospection measures POST /oidc/introspect.
func BenchmarkIntrospection(b *testing.B) {
	x, tok, _ := benchRP(b)
	b.SetParallelism(8)
	b.ResetTimer()
	defer reportCPU(b, processCPU())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchPost(b, x, x.env.URL+"/oidc/introspect", url.Values{"token": {tok.AccessToken}})
		}
	})
}

// BenchmarkRefresh measures the refresh-token grant with rotation: each worker keeps its own
// family going.
func BenchmarkRefresh(b *testing.B) {
	x, _, sess := benchRP(b)
	// One family per worker: start them from fresh authorizations.
	b.SetParallelism(8)
	families := make(chan string, 64)
	for range 64 {
		q, v := x.authorize(sess, oauth2.SetAuthURLParam("scope", "openid fullname offline_access"))
		t, _, _ := x.exchange(q, v)
		families <- t.RefreshToken
	}
	b.ResetTimer()
	defer reportCPU(b, processCPU())
	b.RunParallel(func(pb *testing.PB) {
		rt := <-families
		for pb.Next() {
			t, err := x.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: rt, Expiry: time.Now().Add(-time.Minute)}).Token()
			if err != nil {
				b.Fatal(err)
			}
			rt = t.RefreshToken
		}
	})
}
