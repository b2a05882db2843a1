package mfa

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/session"
)

// Recovery codes are 10 characters of Crockford's base32 alphabet (50 bits), shown as
// XXXXX-XXXXX. Typing is forgiving: case, spaces, dashes and the look-alikes O/I/L are read
// as 0/1/1.
const (
	recoveryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	recoveryLen      = 10
)

// NewRecoveryCodes replaces the account's recovery codes with a new set and returns it; the
// codes are shown this once and stored only as keyed hashes.
func (s *Service) NewRecoveryCodes(ctx context.Context, sess *session.Session, ip string) ([]string, error) {
	codes := make([]string, s.Config.RecoveryCodes)
	hashes := make([]string, len(codes))
	for i := range codes {
		c, err := newRecoveryCode()
		if err != nil {
			return nil, err
		}
		codes[i] = c[:5] + "-" + c[5:]
		hashes[i] = s.recoveryHash(sess.AccountID, c)
	}
	err := s.changeTx(ctx, sess, func(ctx context.Context) error {
		if err := s.Store.ReplaceRecoveryCodes(ctx, sess.AccountID, hashes, s.Now().UTC()); err != nil {
			return fmt.Errorf("save recovery codes: %w", err)
		}
		return s.record(ctx, sess.AccountID, change{action: ActionRecoveryCodesCreated,
			tpl: messages.RecoveryCodesCreated, ip: ip})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// UseRecoveryCode spends one of the account's recovery codes and reports whether code was an
// unused one; the citizen is told that a code was used. It joins the transaction in ctx.
func (s *Service) UseRecoveryCode(ctx context.Context, accountID, code, ip string) (bool, error) {
	norm, ok := normalizeRecovery(code)
	if !ok {
		return false, nil
	}
	var used bool
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		used, err = s.Store.UseRecoveryCode(ctx, accountID, s.recoveryHash(accountID, norm), s.Now().UTC())
		if err != nil || !used {
			return err
		}
		return s.record(ctx, accountID, change{action: ActionRecoveryCodeUsed, tpl: messages.RecoveryCodeUsed, ip: ip})
	})
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return used, nil
}

func (s *Service) recoveryHash(accountID, norm string) string {
	return s.CodeKey.Hash("recovery:"+accountID, norm)
}

func newRecoveryCode() (string, error) {
	b := make([]byte, recoveryLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("recovery code: %w", err)
	}
	for i := range b {
		b[i] = recoveryAlphabet[b[i]&31] // 256 is a multiple of 32: uniform
	}
	return string(b), nil
}

// normalizeRecovery reads a typed recovery code into its canonical form.
func normalizeRecovery(code string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), b.Len() == recoveryLen
}
