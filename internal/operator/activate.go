package operator

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/store"
)

// ActivationPath is where the activation link points, followed by the token.
const ActivationPath = "/activate/"

func (s *Service) tokenHash(token string) string {
	m := hmac.New(sha256.New, s.TokenKey)
	m.Write([]byte("activation:" + token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// newActivation stores a one-time activation token for the account and returns its link.
func (s *Service) newActivation(ctx context.Context, accountID string) (string, error) {
	token, err := credential.NewToken()
	if err != nil {
		return "", err
	}
	now := s.now()
	a := &Activation{TokenHash: s.tokenHash(token), AccountID: accountID, CreatedAt: now,
		ExpiresAt: now.Add(s.Config.ActivationTTL)}
	if err := s.Store.CreateActivation(ctx, a); err != nil {
		return "", err
	}
	return strings.TrimSuffix(s.Config.SiteURL, "/") + ActivationPath + token, nil
}

// Activate sets the first password of an enrolled account through its one-time activation
// link (valid Config.ActivationTTL). It returns ErrActivationInvalid for an unknown, used or
// expired token and a password_too_weak *flow.ValidationError for a weak password (the token
// stays usable then).
//
// ip is the caller's address: attempts count under the per-IP limit of secret checks, and the
// token is looked up before the password is hashed, so that made-up links cost no hash.
func (s *Service) Activate(ctx context.Context, token, password, ip string) (string, error) {
	if s.LimitIP != nil {
		if err := s.LimitIP(ctx, ip); err != nil {
			return "", err
		}
	}
	if token == "" || len(token) > 200 {
		return "", ErrActivationInvalid
	}
	if ok, err := s.Store.ActivationValid(ctx, s.tokenHash(token), s.now()); err != nil {
		return "", err
	} else if !ok {
		return "", ErrActivationInvalid
	}
	if err := flow.CheckPassword(password); err != nil {
		return "", err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	var accountID string
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		id, err := s.Store.UseActivation(ctx, s.tokenHash(token), s.now())
		if errors.Is(err, store.ErrNotFound) {
			return ErrActivationInvalid
		}
		if err != nil {
			return err
		}
		acc, err := s.activeAccount(ctx, id)
		if errors.Is(err, errAccountNotFound) {
			return ErrActivationInvalid
		}
		if err != nil {
			return err
		}
		accountID = acc.ID
		if err := s.Accounts.SetPassword(ctx, acc.ID, account.Password{Hash: hash, UpdatedAt: s.now()}); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionActivated, Actor: "self"})
	})
	if err != nil {
		return "", err
	}
	return accountID, nil
}
