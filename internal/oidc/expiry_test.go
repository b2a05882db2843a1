package oidc_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/session"
)

// TestBackchannelLogoutWhenSessionExpires: the server's cleanup ends a session past its
// lifetime and, in the transaction that deletes it, queues one logout token for each site
// that got tokens from it, with the sid and sub of an explicit sign-out. A failed round
// queues nothing and keeps the session; a later round does not repeat the tokens; a session
// that was only idle is deleted without signing the citizen out of the sites; the sites'
// refresh tokens are left alone.
func TestBackchannelLogoutWhenSessionExpires(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) { testExpiryLogout(t, apptest.New(t, apptest.WithDB(engine))) })
	}
}

func testExpiryLogout(t *testing.T, env *apptest.Env) {
	ctx := context.Background()
	t0 := time.Now()
	short := *env.App.Sessions // a session of one minute, to outlive
	short.Config.Lifetime = time.Minute
	old, _, err := short.Create(ctx, citizen(t, env, "+79161130001").AccountID, []string{"pwd"}, session.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	idle, live := citizen(t, env, "+79161130002"), citizen(t, env, "+79161130003")
	a := newRP(t, env, rp.Input{Name: "A", Scopes: []string{"offline_access"}})
	b := newRP(t, env, rp.Input{Name: "B"})
	sidOld, _ := signedIn(b, old, "")
	_, tokIdleA := signedIn(a, idle, "openid offline_access")
	signedIn(b, idle, "")
	signedIn(a, live, "")

	// The first minute is over: the short session is past its lifetime, nothing is idle yet.
	env.App.Sessions.Now = func() time.Time { return t0.Add(2 * time.Minute) }
	failCleanup(t, env, old)
	env.App.CleanupOnce(ctx)
	env.App.CleanupOnce(ctx)
	checkLogouts(t, env, b, map[any]string{sidOld: old.AccountID})
	checkLogouts(t, env, a, nil)

	// Half an hour on, the session not used since sign-in is idle: it is deleted, and the
	// sites keep their sessions; the one used is not touched.
	if err := env.App.DB.TouchSession(ctx, live.ID, t0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	env.App.Sessions.Now = func() time.Time { return t0.Add(31 * time.Minute) }
	env.App.CleanupOnce(ctx)
	checkLogouts(t, env, a, nil)
	checkLogouts(t, env, b, map[any]string{sidOld: old.AccountID})
	if left, err := env.App.DB.AccountSessions(ctx, idle.AccountID); err != nil || len(left) != 0 {
		t.Errorf("the idle session is still there (%d sessions, %v)", len(left), err)
	}
	refresh := &oauth2.Token{RefreshToken: tokIdleA.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
	if _, err := a.cfg.TokenSource(ctx, refresh).Token(); err != nil {
		t.Errorf("the refresh token of an expired session: %v", err)
	}
}

// signedIn signs sess in to x (with scope, or else the client's default) and returns the sid
// of its ID token and the tokens.
func signedIn(x *relyingParty, sess *session.Session, scope string) (any, *oauth2.Token) {
	x.t.Helper()
	var opts []oauth2.AuthCodeOption
	if scope != "" {
		opts = append(opts, oauth2.SetAuthURLParam("scope", scope))
	}
	q, v := x.authorize(sess, opts...)
	tok, _, claims := x.exchange(q, v)
	return claims["sid"], tok
}

// failCleanup runs a cleanup whose back-channel step fails after queuing its jobs, and
// checks that the transaction took them back with the deletion of sess.
func failCleanup(t *testing.T, env *apptest.Env, sess *session.Session) {
	t.Helper()
	ctx := context.Background()
	orig, called := env.App.Sessions.OnExpire, false
	env.App.Sessions.OnExpire = func(ctx context.Context, s *session.Session) error {
		if err := orig(ctx, s); err != nil {
			return err
		}
		called = true
		return errors.New("the node stops here")
	}
	env.App.CleanupOnce(ctx)
	env.App.Sessions.OnExpire = orig
	if !called {
		t.Fatal("the cleanup did not end the expired session")
	}
	all, err := env.App.DB.ListJobs(ctx, jobs.Pending, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(all, func(j *jobs.Job) bool { return j.Kind == oidc.BackchannelJob }) {
		t.Error("a failed cleanup left back-channel logout jobs")
	}
	left, err := env.App.DB.AccountSessions(ctx, sess.AccountID)
	if err != nil || !slices.ContainsFunc(left, func(s *session.Session) bool { return s.ID == sess.ID }) {
		t.Errorf("a failed cleanup deleted the session: %v", err)
	}
}

// checkLogouts delivers the queued jobs and checks that x has received exactly one valid
// logout token for each sid in want, with want's sub.
func checkLogouts(t *testing.T, env *apptest.Env, x *relyingParty, want map[any]string) {
	t.Helper()
	env.Deliver()
	got := x.logoutTokens()
	if len(got) != len(want) {
		t.Errorf("%s received %d logout tokens, want %d", x.client.Name, len(got), len(want))
	}
	for _, raw := range got {
		c := verifyLogoutToken(t, x, raw)
		if sub, ok := want[c["sid"]]; !ok || c["sub"] != sub {
			t.Errorf("%s logout token sid=%v sub=%v, want one of %v", x.client.Name, c["sid"], c["sub"], want)
		}
	}
}
