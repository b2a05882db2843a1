package flow

import (
	"context"
	"errors"
	"fmt"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/store"
)

// LoginInput is what a sign-in with a password gives.
type LoginInput struct {
	Login       string // phone in any common format, email, or SNILS
	Password    string
	DeviceToken string        // a remembered device's token, if the client keeps one
	PoW         *pow.Solution // the solved challenge, when a pow_required answer asked for one
	// NewPassword replaces a temporary password (one a service center issued): a sign-in with
	// a temporary password without it is refused with password_change_required.
	NewPassword string
}

// LoginResult is a finished sign-in (Signed) or one waiting for a second factor (Pending).
type LoginResult struct {
	Signed  *Signed
	Pending *LoginFlow
}

// Proof-of-work purposes of sign-in: failures count per login and per account.
const (
	PoWLogin   = "login"
	PoWAccount = "login_account"
)

// Login signs a citizen in with a login and a password. An unknown login and a wrong password
// give the same error after the same work. After repeated failures for the login or the
// account, the sign-in must bring a solved proof of work (pow_required carries the challenge),
// whose cost grows with the failures but never locks the owner out. An account with a second
// factor gets a pending sign-in instead of a session, unless the device is remembered.
func (s *Service) Login(ctx context.Context, in LoginInput, m Meta) (*LoginResult, error) {
	if err := s.checkLoginInput(in.Login, in.Password); err != nil {
		return nil, err
	}
	cands := ident.LoginCandidates(in.Login)
	key := in.Login
	if len(cands) > 0 {
		key = string(cands[0].Kind) + ":" + cands[0].Value
	}
	if err := s.peekIP(ctx, m.IP); err != nil {
		s.observe("rate_limited")
		return nil, err
	}
	acc, err := s.findLogin(ctx, cands)
	if err != nil {
		return nil, err
	}
	accountID := ""
	if acc != nil {
		accountID = acc.ID
	}
	if err := s.checkPoW(ctx, key, accountID, in.PoW); err != nil {
		s.observe("pow_required")
		return nil, err
	}
	pw, ok, rehash, err := s.checkPassword(ctx, acc, in.Password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s.loginFailed(ctx, key, accountID, m)
	}
	if pw.MustChange {
		if err := s.replaceTemporary(ctx, acc, &in, m); err != nil {
			return nil, err
		}
		rehash = false // the new hash has the current parameters
	}
	return s.passwordRight(ctx, acc, in, rehash, m)
}

func (s *Service) checkLoginInput(login, password string) error {
	v := &ValidationError{Code: "validation_failed"}
	if login == "" {
		v.add("login", "required", "this field is required")
	} else if len(login) > 320 {
		v.add("login", "too_long", "too long")
	}
	if password == "" {
		v.add("password", "required", "this field is required")
	} else if len(password) > 1024 {
		v.add("password", "too_long", "too long")
	}
	return v.orNil()
}

// checkPassword verifies password against the account's hash and returns the stored
// password (whether it is temporary, say); without an account (or a password) it spends the
// same time on a dummy hash.
func (s *Service) checkPassword(ctx context.Context, acc *account.Account, password string) (pw account.Password, ok, rehash bool, err error) {
	if acc == nil {
		s.Hasher.VerifyDummy(ctx, password)
		return pw, false, false, nil
	}
	pw, err = s.Accounts.GetPassword(ctx, acc.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.Hasher.VerifyDummy(ctx, password)
		return pw, false, false, nil
	}
	if err != nil {
		return pw, false, false, fmt.Errorf("load password: %w", err)
	}
	ok, rehash, err = s.Hasher.Verify(ctx, password, pw.Hash)
	if err != nil {
		return pw, false, false, fmt.Errorf("verify password: %w", err)
	}
	return pw, ok, rehash, nil
}

// findLogin returns the active account for the first candidate reading of the login that
// matches one, or nil. A SNILS matches only once a registry has verified it.
func (s *Service) findLogin(ctx context.Context, cands []ident.Login) (*account.Account, error) {
	for _, c := range cands {
		var acc *account.Account
		var err error
		switch c.Kind {
		case ident.LoginSNILS:
			acc, err = s.Accounts.FindBySNILS(ctx, c.Value)
		case ident.LoginPhone, ident.LoginEmail:
			acc, err = s.Accounts.FindByContact(ctx, account.ContactKind(c.Kind), c.Value)
		default:
			continue
		}
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("find account: %w", err)
		}
		return acc, nil
	}
	return nil, nil
}

// peekIP applies the coarse limit on failed sign-ins from one address.
func (s *Service) peekIP(ctx context.Context, ip string) error {
	if s.Limiter == nil || ip == "" {
		return nil
	}
	d, err := s.Limiter.Peek(ctx, s.Config.LoginFailIP, s.Index.BlindIndex("rl:ip", ip))
	if err != nil {
		return err
	}
	if !d.Allowed {
		return RateLimited(d.RetryAfter)
	}
	return nil
}

// checkPoW asks for a proof of work as hard as the recent failures of the login and of the
// account call for, and checks the one given. A missing, wrong, stale or reused solution gets
// a new challenge.
func (s *Service) checkPoW(ctx context.Context, key, accountID string, sol *pow.Solution) error {
	if s.PoW == nil {
		return nil
	}
	bits := s.PoW.Required(ctx, PoWLogin, key)
	if accountID != "" {
		bits = max(bits, s.PoW.Required(ctx, PoWAccount, accountID))
	}
	if bits == 0 {
		return nil
	}
	if sol != nil {
		err := s.PoW.VerifyBits(ctx, PoWLogin, key, bits, *sol)
		if err == nil {
			return nil
		}
		if !powRejected(err) {
			return err
		}
	}
	ch, err := s.PoW.ChallengeBits(PoWLogin, key, bits)
	if err != nil {
		return err
	}
	return PoWRequired(ch)
}

func powRejected(err error) bool {
	for _, e := range []error{pow.ErrMissing, pow.ErrInvalid, pow.ErrExpired, pow.ErrTooEasy, pow.ErrReplayed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// loginFailed counts a failure for the address (coarse limit), the login and the account
// (proof-of-work cost), and audits it for the account.
func (s *Service) loginFailed(ctx context.Context, key, accountID string, m Meta) error {
	s.observe("failure")
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.limit(ctx, s.Config.LoginFailIP, "ip", m.IP); err != nil && !isRateLimited(err) {
			return err
		}
		if err := s.powFail(ctx, key, accountID); err != nil {
			return err
		}
		if accountID == "" {
			return nil
		}
		return s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: audit.LoginFailed, Actor: "self",
			IP: m.IP, Details: map[string]string{"method": "pwd"}})
	})
	if err != nil {
		return fmt.Errorf("record failed login: %w", err)
	}
	return ErrInvalidCredentials
}

func (s *Service) powFail(ctx context.Context, key, accountID string) error {
	if s.PoW == nil {
		return nil
	}
	if key != "" {
		if err := s.PoW.Fail(ctx, PoWLogin, key); err != nil {
			return err
		}
	}
	if accountID != "" {
		return s.PoW.Fail(ctx, PoWAccount, accountID)
	}
	return nil
}

// passwordRight finishes a sign-in whose password was right: a session when the account has
// no second factor or the device is remembered, else a pending sign-in.
func (s *Service) passwordRight(ctx context.Context, acc *account.Account, in LoginInput, rehash bool, m Meta) (*LoginResult, error) {
	var methods []string
	if s.MFA != nil {
		var err error
		if methods, err = s.MFA.MethodsFor(ctx, acc); err != nil {
			return nil, err
		}
	}
	details := map[string]string{"method": "pwd"}
	if len(methods) > 0 {
		trusted, err := s.MFA.DeviceTrusted(ctx, acc.ID, in.DeviceToken)
		if err != nil {
			return nil, err
		}
		if !trusted {
			return s.startSecondFactor(ctx, acc, methods, in.Password, rehash)
		}
		details["device"] = "remembered" // a remembered device is not a second factor: amr stays pwd
	}
	signed, err := s.loginSucceeded(ctx, acc, in.Password, rehash, []string{"pwd"}, details, m)
	if err != nil {
		return nil, err
	}
	return &LoginResult{Signed: signed}, nil
}

// startSecondFactor records a sign-in waiting for one of methods.
func (s *Service) startSecondFactor(ctx context.Context, acc *account.Account, methods []string, password string, rehash bool) (*LoginResult, error) {
	id, err := credential.NewToken()
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	l := &LoginFlow{ID: id, AccountID: acc.ID, Methods: methods, AMR: []string{"pwd"},
		CreatedAt: now, ExpiresAt: now.Add(s.Config.LoginTTL)}
	newHash, err := s.rehash(ctx, password, rehash)
	if err != nil {
		return nil, err
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.saveRehash(ctx, acc.ID, newHash); err != nil {
			return err
		}
		return s.Logins.CreateLogin(ctx, l)
	})
	if err != nil {
		return nil, fmt.Errorf("start second factor: %w", err)
	}
	s.observe("second_factor")
	return &LoginResult{Pending: l}, nil
}

// rehash computes a new hash of password when the stored one uses old parameters.
func (s *Service) rehash(ctx context.Context, password string, needed bool) (string, error) {
	if !needed {
		return "", nil
	}
	h, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return "", fmt.Errorf("rehash password: %w", err)
	}
	return h, nil
}

func (s *Service) saveRehash(ctx context.Context, accountID, newHash string) error {
	if newHash == "" {
		return nil
	}
	if err := s.Accounts.SetPassword(ctx, accountID, account.Password{Hash: newHash, UpdatedAt: s.Now().UTC()}); err != nil {
		return err
	}
	return s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: audit.PasswordRehash, Actor: "system"})
}

// loginSucceeded opens a session with the methods amr, saving a new password hash if one is
// due, and audits the sign-in with details.
func (s *Service) loginSucceeded(ctx context.Context, acc *account.Account, password string, rehash bool, amr []string, details map[string]string, m Meta) (*Signed, error) {
	newHash, err := s.rehash(ctx, password, rehash)
	if err != nil {
		return nil, err
	}
	var out *Signed
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.saveRehash(ctx, acc.ID, newHash); err != nil {
			return err
		}
		var err error
		out, err = s.openSession(ctx, acc, amr, details, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	s.observe("success")
	return out, nil
}

// openSession creates the session and audits the sign-in, inside the transaction in ctx.
func (s *Service) openSession(ctx context.Context, acc *account.Account, amr []string, details map[string]string, m Meta) (*Signed, error) {
	sess, token, err := s.Sessions.Create(ctx, acc.ID, amr, s.session(m))
	if err != nil {
		return nil, err
	}
	d := map[string]string{"session_id": sess.ID}
	for k, v := range details {
		d[k] = v
	}
	if err := s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: audit.LoginSucceeded, Actor: "self",
		IP: m.IP, Details: d}); err != nil {
		return nil, err
	}
	return &Signed{Account: acc, Session: sess, Token: token}, nil
}

func (s *Service) observe(outcome string) {
	if s.OnLogin != nil {
		s.OnLogin(outcome)
	}
}

func isRateLimited(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == "rate_limited"
}
