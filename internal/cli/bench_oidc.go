package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/civis-id/civis/internal/loadtest"
)

// oidcScenarios are the OpenID provider scenarios, in the order they run.
var oidcScenarios = []string{"sso", "code", "refresh", "userinfo", "introspection"}

func benchOIDCCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "oidc",
		Short: "Drive the OpenID provider: SSO round trip, code exchange, refresh, userinfo, introspection",
		Long: "Drives the OpenID provider as a relying party with the --dev demo client (or another\n" +
			"client_secret_basic client whose redirect URI need not answer): a full SSO round trip for\n" +
			"citizens already signed in (authorize → code → token, no password), the code exchange\n" +
			"alone over codes made beforehand, the refresh grant with rotation (one family per\n" +
			"worker), userinfo and introspection. Each scenario runs at every --concurrencies value.",
		Args: cobra.NoArgs,
	}
	f := bindBenchFlags(cmd.Flags())
	clientID := cmd.Flags().String("client-id", "civis-demo", "client to act as (client_secret_basic)")
	secret := cmd.Flags().String("client-secret", "civis-demo-secret", "its secret")
	redirect := cmd.Flags().String("redirect-uri", "http://127.0.0.1:9090/callback", "its registered redirect URI")
	scenarios := cmd.Flags().StringSlice("scenarios", oidcScenarios, "scenarios to run")
	concs := cmd.Flags().IntSlice("concurrencies", []int{16, 64}, "worker counts to run each scenario at")
	sessions := cmd.Flags().Int("sessions", 8, "signed-in citizens the SSO scenario cycles through")
	emit := cmd.Flags().Int("emit-tokens", 0, "print this many fresh access tokens, one per line, and exit (to drive\n"+
		"userinfo or introspection with another load generator, such as wrk)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		for _, s := range *scenarios {
			if !slices.Contains(oidcScenarios, s) {
				return fmt.Errorf("--scenarios: unknown %q (want %s)", s, strings.Join(oidcScenarios, ", "))
			}
		}
		f.accounts = max(f.accounts, *sessions)
		f.run.Concurrency = slices.Max(*concs)
		ctx, log := cmd.Context(), cmd.ErrOrStderr()
		c, accts, err := f.prepare(ctx, log)
		if err != nil {
			return err
		}
		o, err := loadtest.NewOIDC(ctx, c, *clientID, *secret, *redirect, "openid fullname offline_access")
		if err != nil {
			return err
		}
		b := &oidcBench{f: f, c: c, o: o, log: log, out: cmd.OutOrStdout()}
		if err := b.signIn(ctx, accts[:*sessions]); err != nil {
			return err
		}
		if *emit > 0 {
			return b.emitTokens(ctx, *emit)
		}
		for _, s := range *scenarios {
			for _, n := range *concs {
				if err := b.run(ctx, s, n); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return cmd
}

type oidcBench struct {
	f        *benchFlags
	c        *loadtest.Client
	o        *loadtest.OIDC
	log, out io.Writer
	sessions []string
}

// signIn gets a session per account and gives the first consent, outside the measurement.
func (b *oidcBench) signIn(ctx context.Context, accts []loadtest.Account) error {
	for _, a := range accts {
		var out struct {
			SessionToken string `json:"session_token"`
		}
		if err := b.c.PostJSON(ctx, "/api/v1/sessions", map[string]string{"login": a.Login, "password": a.Password}, &out); err != nil {
			return fmt.Errorf("sign in %s: %w", a.Login, err)
		}
		if _, _, err := b.o.Authorize(ctx, out.SessionToken); err != nil {
			return fmt.Errorf("first authorization: %w", err)
		}
		b.sessions = append(b.sessions, out.SessionToken)
	}
	return nil
}

// emitTokens prints n access tokens of the signed-in citizens, one per line.
func (b *oidcBench) emitTokens(ctx context.Context, n int) error {
	ts, err := b.tokens(ctx, n)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if _, err := fmt.Fprintln(b.out, t.AccessToken); err != nil {
			return err
		}
	}
	return nil
}

// tokens makes n token sets by authorizations done outside the measurement.
func (b *oidcBench) tokens(ctx context.Context, n int) ([]loadtest.Tokens, error) {
	out := make([]loadtest.Tokens, 0, n)
	for i := range n {
		code, v, err := b.o.Authorize(ctx, b.sessions[i%len(b.sessions)])
		if err != nil {
			return nil, err
		}
		t, err := b.o.Exchange(ctx, code, v)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (b *oidcBench) run(ctx context.Context, name string, n int) error {
	f := *b.f
	f.run.Concurrency = n
	var sc loadtest.Scenario
	switch name {
	case "sso":
		sc = loadtest.SSORoundTrip(b.o, b.sessions)
	case "code":
		codes, err := b.codes(ctx, max(2000, 50*n))
		if err != nil {
			return err
		}
		f.run.Warmup, f.run.MaxRequests = 0, len(codes)
		sc = loadtest.CodeExchange(b.o, codes)
	default:
		ts, err := b.tokens(ctx, n)
		if err != nil {
			return err
		}
		sc = b.tokenScenario(name, ts)
	}
	return f.print(ctx, b.out, f.drive(ctx, b.c, sc, len(b.sessions), b.log))
}

func (b *oidcBench) tokenScenario(name string, ts []loadtest.Tokens) loadtest.Scenario {
	var access, refresh []string
	for _, t := range ts {
		access, refresh = append(access, t.AccessToken), append(refresh, t.RefreshToken)
	}
	switch name {
	case "refresh":
		return loadtest.RefreshGrant(b.o, refresh)
	case "userinfo":
		return loadtest.UserinfoScenario(b.o, access)
	}
	return loadtest.IntrospectionScenario(b.o, access)
}

// codes makes n authorization codes (with their verifiers) outside the measurement.
func (b *oidcBench) codes(ctx context.Context, n int) ([][2]string, error) {
	fmt.Fprintf(b.log, "making %d authorization codes\n", n)
	out := make([][2]string, 0, n)
	for i := range n {
		code, v, err := b.o.Authorize(ctx, b.sessions[i%len(b.sessions)])
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{code, v})
	}
	return out, nil
}
