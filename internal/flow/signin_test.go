package flow_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/app/apptest"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
)

// owner is an account of the stuffing test and what only its owner knows.
type owner struct {
	acc      *account.Account
	phone    string // E.164
	email    string
	password string
	totp     string   // the authenticator app's secret, for some owners
	recovery []string // their recovery codes
}

func code(secret string, at time.Time) string {
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		panic(err)
	}
	return c
}

// wrongTOTP is a 6-digit code that is none of the codes accepted at now.
func wrongTOTP(secret string, now time.Time, rnd *rand.Rand) string {
	for {
		c := fmt.Sprintf("%06d", rnd.IntN(1_000_000))
		ok := true
		for d := -1; d <= 1; d++ {
			if c == code(secret, now.Add(time.Duration(d)*30*time.Second)) {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
}

// createOwners makes n accounts directly in the store (hashing their passwords in parallel);
// the first withTOTP get an authenticator app and recovery codes.
func createOwners(t *testing.T, env *apptest.Env, n, withTOTP int) []*owner {
	t.Helper()
	ctx := context.Background()
	owners := make([]*owner, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range owners {
		o := &owner{phone: fmt.Sprintf("+7916%07d", 1000000+i), email: fmt.Sprintf("owner%d@example.ru", i),
			password: fmt.Sprintf("Owner-%d-%s!", i, uuid.NewString()[:8])}
		owners[i] = o
		wg.Go(func() {
			hash, err := env.App.Hasher.Hash(ctx, o.password)
			if err != nil {
				errs <- err
				return
			}
			now := time.Now().UTC()
			o.acc = &account.Account{ID: uuid.Must(uuid.NewV7()).String(), Level: account.Simplified, State: account.Active,
				LastName: "Владелец", FirstName: "Номер", Locale: "ru", CreatedAt: now, UpdatedAt: now,
				Contacts: []account.Contact{
					{ID: uuid.NewString(), Kind: account.Phone, Value: o.phone, Verified: true, CreatedAt: now},
					{ID: uuid.NewString(), Kind: account.Email, Value: o.email, Verified: true, CreatedAt: now}}}
			errs <- env.App.DB.CreateAccount(ctx, o.acc, account.Password{Hash: hash, UpdatedAt: now})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range owners[:withTOTP] {
		o.totp, o.recovery = enrol(t, env, o.acc.ID)
	}
	return owners
}

// enrol gives the account an authenticator app and recovery codes, as its owner would.
func enrol(t *testing.T, env *apptest.Env, accountID string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	sess, _, err := env.App.Sessions.Create(ctx, accountID, []string{"pwd"}, session.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := env.App.MFA.BeginTOTP(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	// Confirm with the previous step's code, so that the owner's current code stays unused.
	if err := env.App.MFA.ConfirmTOTP(ctx, sess, code(st.Secret, time.Now().Add(-30*time.Second)), ""); err != nil {
		t.Fatal(err)
	}
	codes, err := env.App.MFA.NewRecoveryCodes(ctx, sess, "")
	if err != nil {
		t.Fatal(err)
	}
	return st.Secret, codes
}

// loginForms are ways to write an owner's login: rotating identifiers of one account.
func loginForms(o *owner) []string {
	d := o.phone[2:] // 916xxxxxxx
	return []string{o.phone, "8" + d, "8 (" + d[:3] + ") " + d[3:6] + "-" + d[6:8] + "-" + d[8:],
		"+7 " + d[:3] + " " + d[3:], o.email, strings.ToUpper(o.email)}
}

// TestCredentialStuffing: thousands of sign-ins with leaked and guessed passwords on hundreds
// of accounts, from rotating logins and addresses, some attackers solving the proof of work.
// No account is entered, and afterwards every owner signs in with the right password.
func TestCredentialStuffing(t *testing.T) {
	for _, engine := range apptest.Engines() {
		t.Run(engine, func(t *testing.T) { stuffing(t, engine) })
	}
}

func stuffing(t *testing.T, engine string) {
	const accounts, attempts, leaked, workers = 300, 3000, 20, 8
	env := apptest.New(t, apptest.WithDB(engine))
	// Cheap work for this many solvers and hashes: the limits are under test here, not the
	// costs (the proof of work's curve is tested in package pow, the hasher in credential).
	env.App.PoW.Config.BaseBits, env.App.PoW.Config.MaxBits = 8, 12
	cheapHashes(env)
	owners := createOwners(t, env, accounts, leaked)
	ctx := context.Background()
	guesses := []string{"123456", "Password1!", "Qwerty-123", "Moscow2024!", "Iloveyou-1", "Summer-2025!"}

	var entered, pending, powAsked, refused, limited atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(w), 42))
			for i := w; i < attempts; i += workers {
				o := owners[rnd.IntN(accounts)]
				forms := loginForms(o)
				in := flow.LoginInput{Login: forms[rnd.IntN(len(forms))], Password: guesses[rnd.IntN(len(guesses))]}
				if o.totp != "" && rnd.IntN(2) == 0 {
					in.Password = o.password // from a leak of another site, where the owner reused it
				}
				m := flow.Meta{IP: fmt.Sprintf("203.0.%d.%d", 113+i%3, i%200+1), UserAgent: "stuffer"}
				res, err := env.App.Flows.Login(ctx, in, m)
				var fe *flow.Error
				if errors.As(err, &fe) && fe.Code == "pow_required" && rnd.IntN(10) == 0 {
					in.PoW = ptr(pow.Solve(*fe.PoW)) // a determined attacker pays the work
					res, err = env.App.Flows.Login(ctx, in, m)
				}
				switch {
				case err == nil && res.Signed != nil:
					entered.Add(1)
				case err == nil:
					pending.Add(1)
					// Without the owner's phone the second factor is a guess.
					_, err := env.App.Flows.SecondFactor(ctx, flow.SecondFactorInput{LoginID: res.Pending.ID,
						Method: mfa.MethodTOTP, Code: wrongTOTP(o.totp, time.Now(), rnd)}, m)
					if err == nil {
						entered.Add(1)
					}
				case errors.As(err, &fe) && fe.Code == "pow_required":
					powAsked.Add(1)
				case errors.As(err, &fe) && fe.Code == "rate_limited":
					limited.Add(1)
				case errors.Is(err, flow.ErrInvalidCredentials):
					refused.Add(1)
				default:
					t.Errorf("attempt %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%s: %d attempts: %d refused, %d asked for proof of work, %d rate-limited, %d reached the second factor, %d entered",
		engine, attempts, refused.Load(), powAsked.Load(), limited.Load(), pending.Load(), entered.Load())
	if entered.Load() != 0 {
		t.Fatalf("%d sign-ins entered an account", entered.Load())
	}
	if powAsked.Load() < attempts/2 {
		t.Errorf("only %d of %d attempts were asked for proof of work", powAsked.Load(), attempts)
	}
	for i, o := range owners {
		ownerSignsIn(t, env, o, flow.Meta{IP: fmt.Sprintf("192.0.2.%d", i%250+1), UserAgent: "owner"})
	}
}

// ownerSignsIn signs in as the owner would after an attack: the right password, the proof of
// work if asked, and the second factor (the app, or a recovery code while the app's codes are
// rate-limited).
func ownerSignsIn(t *testing.T, env *apptest.Env, o *owner, m flow.Meta) {
	t.Helper()
	ctx := context.Background()
	in := flow.LoginInput{Login: o.email, Password: o.password}
	res, err := env.App.Flows.Login(ctx, in, m)
	var fe *flow.Error
	if errors.As(err, &fe) && fe.Code == "pow_required" {
		in.PoW = ptr(pow.Solve(*fe.PoW))
		res, err = env.App.Flows.Login(ctx, in, m)
	}
	if err != nil {
		t.Fatalf("owner %s cannot sign in: %v", o.email, err)
	}
	if res.Signed != nil {
		return
	}
	if o.totp == "" {
		t.Fatalf("owner %s without a second factor got one", o.email)
	}
	sf := flow.SecondFactorInput{LoginID: res.Pending.ID, Method: mfa.MethodTOTP, Code: code(o.totp, time.Now())}
	_, err = env.App.Flows.SecondFactor(ctx, sf, m)
	if errors.As(err, &fe) && fe.Code == "rate_limited" {
		sf.Method, sf.Code = mfa.MethodRecoveryCode, o.recovery[0]
		_, err = env.App.Flows.SecondFactor(ctx, sf, m)
	}
	if err != nil {
		t.Fatalf("owner %s cannot pass the second factor: %v", o.email, err)
	}
}

func ptr[T any](v T) *T { return &v }

// cheapHashes makes the node hash passwords with small argon2id parameters.
func cheapHashes(env *apptest.Env) {
	h := credential.NewHasher(credential.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 8)
	env.App.Hasher, env.App.Flows.Hasher = h, h
}

// TestGuessingChance computes, from the configured limits, the chance that someone who knows
// the password guesses a 6-digit code before it stops working, and checks the limits hold as
// the computation assumes.
func TestGuessingChance(t *testing.T) {
	cfg := flow.DefaultConfig()
	const space = 1_000_000 // 6-digit codes
	if cfg.CodeDigits != 6 {
		t.Fatalf("codes have %d digits", cfg.CodeDigits)
	}
	// An SMS code takes CodeAttempts entries, each compared with that one code.
	pSMS := float64(cfg.CodeAttempts) / space
	// An app code is accepted during TOTPAccepted periods of 30 seconds. Wrong codes of one
	// account are limited to Max per fixed Window; a span shorter than a window meets at most
	// two of them.
	life := time.Duration(mfa.TOTPAccepted) * 30 * time.Second
	rule := cfg.SecondFactorPerAccount
	windows := int(math.Ceil(float64(life)/float64(rule.Window))) + 1
	guesses := windows * rule.Max
	pTOTP := float64(guesses) / space
	// Even counted against every code accepted at once (the current one and its neighbours).
	pAny := float64(guesses*mfa.TOTPAccepted) / space
	t.Logf("per code: SMS %.1e (%d tries), app %.1e (%d tries in %s), any app code %.1e", pSMS, cfg.CodeAttempts, pTOTP, guesses, life, pAny)
	for name, p := range map[string]float64{"SMS": pSMS, "app": pTOTP, "any app code": pAny} {
		if p >= 1e-4 {
			t.Errorf("chance of guessing a %s code = %.2e, want below 1e-4", name, p)
		}
	}
	checkLimitsHold(t, cfg)
}

// checkLimitsHold runs a guesser against a node: it gets no more wrong app codes than the
// account's limit, after which even the right code waits while a recovery code still works;
// an SMS code allows CodeAttempts entries.
func checkLimitsHold(t *testing.T, cfg flow.Config) {
	env := apptest.New(t)
	both := createOwners(t, env, 2, 2)
	o := both[0]
	ctx := context.Background()
	m := flow.Meta{IP: "198.51.100.7"}
	rnd := rand.New(rand.NewPCG(1, 2))
	tries := 0
	for tries <= cfg.SecondFactorPerAccount.Max {
		res, err := env.App.Flows.Login(ctx, flow.LoginInput{Login: o.phone, Password: o.password}, m)
		if err != nil {
			t.Fatal(err)
		}
		limited := false
		for range cfg.SecondFactorAttempts {
			_, err := env.App.Flows.SecondFactor(ctx, flow.SecondFactorInput{LoginID: res.Pending.ID, Method: mfa.MethodTOTP,
				Code: wrongTOTP(o.totp, time.Now(), rnd)}, m)
			var fe *flow.Error
			if errors.As(err, &fe) && fe.Code == "rate_limited" {
				limited = true
				break
			}
			tries++
			if errors.Is(err, flow.ErrLoginAttempts) {
				break
			}
		}
		if limited {
			break
		}
	}
	if tries != cfg.SecondFactorPerAccount.Max {
		t.Errorf("the guesser got %d wrong app codes, want the limit %d", tries, cfg.SecondFactorPerAccount.Max)
	}
	res, _ := env.App.Flows.Login(ctx, flow.LoginInput{Login: o.phone, Password: o.password}, m)
	sf := flow.SecondFactorInput{LoginID: res.Pending.ID, Method: mfa.MethodTOTP, Code: code(o.totp, time.Now())}
	if _, err := env.App.Flows.SecondFactor(ctx, sf, m); err == nil || !strings.Contains(err.Error(), "rate_limited") {
		t.Errorf("the right app code past the limit = %v, want rate_limited", err)
	}
	sf.Method, sf.Code = mfa.MethodRecoveryCode, o.recovery[0]
	if _, err := env.App.Flows.SecondFactor(ctx, sf, m); err != nil {
		t.Errorf("a recovery code past the limit = %v; the owner must get in", err)
	}
	checkSMSAttempts(t, env, cfg, both[1], m) // another account: this one's codes are limited now
}

func checkSMSAttempts(t *testing.T, env *apptest.Env, cfg flow.Config, o *owner, m flow.Meta) {
	ctx := context.Background()
	sess, _, _ := env.App.Sessions.Create(ctx, o.acc.ID, []string{"pwd"}, session.Meta{})
	if err := env.App.MFA.EnableSMS(ctx, sess, ""); err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Flows.Login(ctx, flow.LoginInput{Login: o.phone, Password: o.password}, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Flows.SendLoginCode(ctx, res.Pending.ID, m); err != nil {
		t.Fatal(err)
	}
	right := env.Code(o.phone)
	wrong := fmt.Sprintf("%06d", (mustAtoi(right)+1)%1_000_000)
	sf := flow.SecondFactorInput{LoginID: res.Pending.ID, Method: mfa.MethodSMS, Code: wrong}
	for i := range cfg.CodeAttempts {
		if _, err := env.App.Flows.SecondFactor(ctx, sf, m); err == nil {
			t.Fatalf("wrong SMS code %d accepted", i+1)
		}
	}
	sf.Code = right
	if _, err := env.App.Flows.SecondFactor(ctx, sf, m); !errors.Is(err, flow.ErrCodeAttempts) {
		t.Errorf("the right SMS code after %d wrong = %v, want code_attempts_exceeded", cfg.CodeAttempts, err)
	}
}

func mustAtoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
