package mfa_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/mfa/mfatest"
	"github.com/civis-id/civis/internal/session"
)

// clock is the time the mfa service sees; the tests move it.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	env   *apptest.Env
	mfa   *mfa.Service
	clock *clock
	acc   *account.Account
	sess  *session.Session
}

// setup starts a node whose second factors run on a test clock, with one account (phone and
// email confirmed) signed in just now.
func setup(t *testing.T) *fixture {
	t.Helper()
	env := apptest.New(t, apptest.WithIssuerHost("localhost"))
	c := &clock{t: time.Now().UTC()}
	env.App.MFA.Now = c.now
	f := &fixture{env: env, mfa: env.App.MFA, clock: c, acc: newAccount(t, env, "+79161230001", "mfa@example.ru")}
	sess, _, err := env.App.Sessions.Create(context.Background(), f.acc.ID, []string{"pwd"}, session.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	sess.AuthTime = c.t
	f.sess = sess
	return f
}

func newAccount(t *testing.T, env *apptest.Env, phone, email string) *account.Account {
	t.Helper()
	now := time.Now().UTC()
	a := &account.Account{ID: uuid.Must(uuid.NewV7()).String(), Level: account.Simplified, State: account.Active,
		LastName: "Иванова", FirstName: "Мария", Locale: "ru", CreatedAt: now, UpdatedAt: now}
	if phone != "" {
		a.Contacts = append(a.Contacts, account.Contact{ID: uuid.NewString(), Kind: account.Phone, Value: phone, Verified: true, CreatedAt: now})
	}
	if email != "" {
		a.Contacts = append(a.Contacts, account.Contact{ID: uuid.NewString(), Kind: account.Email, Value: email, Verified: true, CreatedAt: now})
	}
	if err := env.App.DB.CreateAccount(context.Background(), a, account.Password{Hash: "x", UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return a
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTOTP(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	st, err := f.mfa.BeginTOTP(ctx, f.sess)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.URI, "otpauth://totp/Civis:mfa@example.ru?") || !strings.Contains(st.URI, "secret="+st.Secret) ||
		!strings.HasPrefix(st.QRDataURL, "data:image/png;base64,iVBOR") || len(st.Secret) != 32 {
		t.Fatalf("setup = %+v", st)
	}
	if fs, _ := f.mfa.Factors(ctx, f.acc.ID); fs.TOTP {
		t.Fatal("a setup not confirmed counts as a factor")
	}
	if err := f.mfa.ConfirmTOTP(ctx, f.sess, "000000", ""); !errors.Is(err, mfa.ErrCodeInvalid) &&
		code(t, st.Secret, f.clock.t) != "000000" {
		t.Errorf("ConfirmTOTP(wrong) = %v", err)
	}
	now := code(t, st.Secret, f.clock.t)
	if err := f.mfa.ConfirmTOTP(ctx, f.sess, now[:3]+" "+now[3:], "192.0.2.1"); err != nil {
		t.Fatalf("ConfirmTOTP = %v", err)
	}
	if fs, _ := f.mfa.Factors(ctx, f.acc.ID); !fs.TOTP {
		t.Fatal("confirmed TOTP missing from Factors")
	}
	if _, err := f.mfa.BeginTOTP(ctx, f.sess); !errors.Is(err, mfa.ErrTOTPEnabled) {
		t.Errorf("BeginTOTP with one confirmed = %v, want ErrTOTPEnabled", err)
	}
	check := func(what, c string, want bool) {
		t.Helper()
		if ok, err := f.mfa.CheckTOTP(ctx, f.acc.ID, c); ok != want || err != nil {
			t.Errorf("%s: CheckTOTP = %v, %v; want %v", what, ok, err, want)
		}
	}
	check("the confirming code again", now, false)
	f.clock.t = f.clock.t.Add(30 * time.Second)
	next := code(t, st.Secret, f.clock.t)
	check("the next step's code", next, true)
	check("the same code twice", next, false)
	check("a code two steps old", code(t, st.Secret, f.clock.t.Add(-60*time.Second)), false)
	check("a code two steps ahead", code(t, st.Secret, f.clock.t.Add(60*time.Second)), false)
	check("a code one step ahead (clock skew)", code(t, st.Secret, f.clock.t.Add(30*time.Second)), true)
	check("not digits", "abcdef", false)
	if msgs := f.env.Messages("mfa@example.ru"); len(msgs) == 0 || !strings.Contains(msgs[0].Body, "аутентификатор") {
		t.Errorf("no notice of the new authenticator app: %+v", msgs)
	}
	if err := f.mfa.DisableTOTP(ctx, f.sess, ""); err != nil {
		t.Fatal(err)
	}
	if fs, _ := f.mfa.Factors(ctx, f.acc.ID); fs.TOTP {
		t.Error("TOTP still on after DisableTOTP")
	}
}

func TestChangesNeedRecentSignIn(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.clock.t = f.clock.t.Add(f.mfa.Config.ReauthWithin + time.Second)
	for name, fn := range map[string]func() error{
		"BeginTOTP":        func() error { _, err := f.mfa.BeginTOTP(ctx, f.sess); return err },
		"NewRecoveryCodes": func() error { _, err := f.mfa.NewRecoveryCodes(ctx, f.sess, ""); return err },
		"EnableSMS":        func() error { return f.mfa.EnableSMS(ctx, f.sess, "") },
		"BeginPasskey":     func() error { _, _, err := f.mfa.BeginPasskeyRegistration(ctx, f.sess); return err },
		"RemovePasskey":    func() error { return f.mfa.RemovePasskey(ctx, f.sess, uuid.NewString(), "") },
	} {
		if err := fn(); !errors.Is(err, mfa.ErrReauthRequired) {
			t.Errorf("%s with an old sign-in = %v, want ErrReauthRequired", name, err)
		}
	}
}

var recoveryRE = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$`)

func TestRecoveryCodesAreSingleUse(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	codes, err := f.mfa.NewRecoveryCodes(ctx, f.sess, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("%d codes, want 10", len(codes))
	}
	for _, c := range codes {
		if !recoveryRE.MatchString(c) {
			t.Errorf("code %q has the wrong form", c)
		}
	}
	use := func(c string) bool {
		t.Helper()
		ok, err := f.mfa.UseRecoveryCode(ctx, f.acc.ID, c, "")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !use(codes[0]) || use(codes[0]) {
		t.Error("a recovery code did not work exactly once")
	}
	typed := strings.ToLower(strings.ReplaceAll(codes[1], "-", " "))
	if !use(typed) {
		t.Errorf("the code typed as %q was refused", typed)
	}
	if use("AAAAA-AAAAA") || use("") || use(codes[2]+"X") {
		t.Error("a wrong code was accepted")
	}
	other := newAccount(t, f.env, "", "other@example.ru")
	if ok, _ := f.mfa.UseRecoveryCode(ctx, other.ID, codes[3], ""); ok {
		t.Error("another account's code was accepted")
	}
	if fs, _ := f.mfa.Factors(ctx, f.acc.ID); fs.RecoveryCodes != 8 {
		t.Errorf("%d codes left, want 8", fs.RecoveryCodes)
	}
	if _, err := f.mfa.NewRecoveryCodes(ctx, f.sess, ""); err != nil {
		t.Fatal(err)
	}
	if use(codes[4]) {
		t.Error("a code of the replaced set still works")
	}
}

func TestRememberedDevice(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	token, exp, err := f.mfa.RememberDevice(ctx, f.acc.ID, "")
	if err != nil || token == "" || !exp.Equal(f.clock.t.Add(f.mfa.Config.DeviceTTL)) {
		t.Fatalf("RememberDevice = %q, %v, %v", token, exp, err)
	}
	trusted := func(accountID, tok string) bool {
		ok, err := f.mfa.DeviceTrusted(ctx, accountID, tok)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	other := newAccount(t, f.env, "", "dev-other@example.ru")
	if !trusted(f.acc.ID, token) || trusted(other.ID, token) || trusted(f.acc.ID, token+"x") || trusted(f.acc.ID, "") {
		t.Error("a device token is trusted for the wrong account or value")
	}
	f.clock.t = exp
	if trusted(f.acc.ID, token) {
		t.Error("an expired device is still trusted")
	}
}

func TestPasskeys(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	origin := f.env.App.Config.Issuer
	key := mfatest.New(origin)
	register(t, f, key, "Ноутбук")
	keys, _ := f.mfa.Passkeys(ctx, f.acc.ID)
	if len(keys) != 1 || keys[0].Name != "Ноутбук" {
		t.Fatalf("Passkeys = %+v", keys)
	}
	fs, _ := f.mfa.Factors(ctx, f.acc.ID)
	if got := fs.Methods(true); !slices.Equal(got, []string{"passkey"}) {
		t.Errorf("Methods = %v, want [passkey]", got)
	}
	for _, accountID := range []string{f.acc.ID, ""} { // second factor, then without a login
		id, opts, err := f.mfa.BeginPasskeyLogin(ctx, accountID)
		if err != nil {
			t.Fatal(err)
		}
		answer := sign(t, key, opts)
		who, amr, err := f.mfa.FinishPasskeyLogin(ctx, id, accountID, answer)
		if err != nil || who != f.acc.ID || !slices.Equal(amr, []string{"hwk", "user"}) {
			t.Errorf("FinishPasskeyLogin(%q) = %q, %v, %v", accountID, who, amr, err)
		}
		if _, _, err := f.mfa.FinishPasskeyLogin(ctx, id, accountID, answer); !errors.Is(err, mfa.ErrPasskeyInvalid) {
			t.Errorf("the same answer twice = %v, want ErrPasskeyInvalid", err)
		}
	}
	// A synced passkey is "swk"; an answer from another origin is refused.
	synced := mfatest.New(origin)
	synced.BackupEligible = true
	register(t, f, synced, "")
	id, opts, _ := f.mfa.BeginPasskeyLogin(ctx, "")
	if _, amr, err := f.mfa.FinishPasskeyLogin(ctx, id, "", sign(t, synced, opts)); err != nil || amr[0] != "swk" {
		t.Errorf("synced passkey: amr %v, %v", amr, err)
	}
	phish := mfatest.New(origin)
	register(t, f, phish, "")
	phish.Origin = "http://evil.example"
	id, opts, _ = f.mfa.BeginPasskeyLogin(ctx, f.acc.ID)
	if _, _, err := f.mfa.FinishPasskeyLogin(ctx, id, f.acc.ID, sign(t, phish, opts)); !errors.Is(err, mfa.ErrPasskeyInvalid) {
		t.Errorf("an answer for another origin = %v, want ErrPasskeyInvalid", err)
	}
	if err := f.mfa.Reset(ctx, f.acc.ID, "operator:test"); err != nil {
		t.Fatal(err)
	}
	if fs, _ := f.mfa.Factors(ctx, f.acc.ID); fs.Passkeys != 0 {
		t.Errorf("passkeys after Reset: %+v", fs)
	}
}

func register(t *testing.T, f *fixture, key *mfatest.Authenticator, name string) {
	t.Helper()
	ctx := context.Background()
	id, opts, err := f.mfa.BeginPasskeyRegistration(ctx, f.sess)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(opts)
	answer, err := key.Create(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.mfa.FinishPasskeyRegistration(ctx, f.sess, id, name, answer, ""); err != nil {
		t.Fatalf("FinishPasskeyRegistration: %v", err)
	}
}

func sign(t *testing.T, key *mfatest.Authenticator, opts any) []byte {
	t.Helper()
	raw, _ := json.Marshal(opts)
	answer, err := key.Get(raw)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

func TestMethods(t *testing.T) {
	for _, tc := range []struct {
		f     mfa.Factors
		phone bool
		want  []string
	}{
		{mfa.Factors{}, true, nil},
		{mfa.Factors{RecoveryCodes: 10}, true, nil},
		{mfa.Factors{SMS: true, RecoveryCodes: 3}, false, nil},
		{mfa.Factors{SMS: true, RecoveryCodes: 3}, true, []string{"sms", "recovery_code"}},
		{mfa.Factors{TOTP: true, SMS: true, Passkeys: 2, RecoveryCodes: 1}, true, []string{"totp", "sms", "passkey", "recovery_code"}},
		{mfa.Factors{Passkeys: 1, PasskeysOff: true}, true, nil},
	} {
		if got := tc.f.Methods(tc.phone); !slices.Equal(got, tc.want) {
			t.Errorf("%+v.Methods(%v) = %v, want %v", tc.f, tc.phone, got, tc.want)
		}
	}
}
