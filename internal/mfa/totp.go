package mfa

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// TOTP parameters: what every authenticator app supports (RFC 6238 defaults).
const (
	totpPeriod = 30
	totpDigits = 6
	// totpSkew accepts the codes of one step before and after the current one, for clocks
	// that drift and citizens who type slowly.
	totpSkew = 1
	qrSize   = 240
)

// TOTPSetup is what the citizen needs to add the account to an authenticator app.
type TOTPSetup struct {
	Secret    string // base32, for typing in by hand
	URI       string // otpauth:// URI, what the QR code holds
	QRDataURL string // data:image/png;base64,... of the QR code
}

// BeginTOTP creates a new secret, not yet active, and returns how to add it to an app. An
// account with a confirmed authenticator must turn it off first.
func (s *Service) BeginTOTP(ctx context.Context, sess *session.Session) (*TOTPSetup, error) {
	if err := s.fresh(sess); err != nil {
		return nil, err
	}
	k, err := s.Store.GetTOTP(ctx, sess.AccountID)
	if err == nil && !k.ConfirmedAt.IsZero() {
		return nil, ErrTOTPEnabled
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("load totp: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Config.Issuer, AccountName: "-", Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("generate totp secret: %w", err)
	}
	now := s.Now().UTC()
	if err := s.Store.SaveTOTP(ctx, &TOTPKey{AccountID: sess.AccountID, Secret: key.Secret(), CreatedAt: now}); err != nil {
		return nil, fmt.Errorf("save totp: %w", err)
	}
	return s.PendingTOTP(ctx, sess.AccountID)
}

// PendingTOTP returns the setup of a secret begun but not confirmed, or ErrTOTPNotStarted.
func (s *Service) PendingTOTP(ctx context.Context, accountID string) (*TOTPSetup, error) {
	k, err := s.Store.GetTOTP(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !k.ConfirmedAt.IsZero()) {
		return nil, ErrTOTPNotStarted
	}
	if err != nil {
		return nil, fmt.Errorf("load totp: %w", err)
	}
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	return s.setup(k.Secret, accountLabel(acc))
}

// setup builds the otpauth URI and its QR code for a secret.
func (s *Service) setup(secret, label string) (*TOTPSetup, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("decode totp secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Config.Issuer, AccountName: label, Period: totpPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("totp uri: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, fmt.Errorf("totp qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp qr: %w", err)
	}
	return &TOTPSetup{Secret: key.Secret(), URI: key.URL(),
		QRDataURL: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// accountLabel names the account in the app: its confirmed email or phone (only the citizen
// sees it), or its id.
func accountLabel(acc *account.Account) string {
	for _, k := range []account.ContactKind{account.Email, account.Phone} {
		if c, ok := acc.Contact(k); ok && c.Verified {
			return c.Value
		}
	}
	return acc.ID
}

// ConfirmTOTP activates the pending secret once the citizen types a code from the app.
func (s *Service) ConfirmTOTP(ctx context.Context, sess *session.Session, code, ip string) error {
	return s.changeTx(ctx, sess, func(ctx context.Context) error {
		k, err := s.Store.GetTOTP(ctx, sess.AccountID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !k.ConfirmedAt.IsZero()) {
			return ErrTOTPNotStarted
		}
		if err != nil {
			return fmt.Errorf("load totp: %w", err)
		}
		step, ok := matchTOTP(k.Secret, normalizeCode(code), s.Now())
		if !ok {
			return ErrCodeInvalid
		}
		k.ConfirmedAt, k.LastStep = s.Now().UTC(), step
		if err := s.Store.SaveTOTP(ctx, k); err != nil {
			return fmt.Errorf("save totp: %w", err)
		}
		return s.record(ctx, sess.AccountID, change{action: ActionTOTPEnabled, tpl: messages.TOTPEnabled, ip: ip})
	})
}

// DisableTOTP removes the authenticator app.
func (s *Service) DisableTOTP(ctx context.Context, sess *session.Session, ip string) error {
	return s.changeTx(ctx, sess, func(ctx context.Context) error {
		k, err := s.Store.GetTOTP(ctx, sess.AccountID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("load totp: %w", err)
		}
		if err := s.Store.DeleteTOTP(ctx, sess.AccountID); err != nil {
			return fmt.Errorf("delete totp: %w", err)
		}
		if k.ConfirmedAt.IsZero() {
			return nil // a setup never finished: nothing to tell
		}
		return s.record(ctx, sess.AccountID, change{action: ActionTOTPDisabled, tpl: messages.TOTPDisabled, ip: ip})
	})
}

// CheckTOTP reports whether code is a current code of the account's confirmed app, and uses
// it up: the same code (or an older one) is refused afterwards.
func (s *Service) CheckTOTP(ctx context.Context, accountID, code string) (bool, error) {
	k, err := s.Store.GetTOTP(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.ConfirmedAt.IsZero()) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load totp: %w", err)
	}
	step, ok := matchTOTP(k.Secret, normalizeCode(code), s.Now())
	if !ok || step <= k.LastStep {
		return false, nil
	}
	used, err := s.Store.UseTOTPStep(ctx, accountID, step)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", err)
	}
	return used, nil
}

// TOTPAccepted is how many codes CheckTOTP accepts at any moment (the current step and its
// neighbours), for the guessing bound.
const TOTPAccepted = 2*totpSkew + 1

// matchTOTP returns the time step whose code is code, within the skew around now.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for d := -totpSkew; d <= totpSkew; d++ {
		t := now.Add(time.Duration(d*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / totpPeriod, true
		}
	}
	return 0, false
}

// normalizeCode drops the spaces and dashes people type inside codes.
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}
