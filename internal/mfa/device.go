package mfa

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/store"
)

// RememberDevice trusts the device that has just passed the second factor: it returns a
// token for the device to keep (a cookie, or an app's storage) and when it stops working.
// It joins the transaction in ctx.
func (s *Service) RememberDevice(ctx context.Context, accountID, ip string) (string, time.Time, error) {
	if s.Config.DeviceTTL <= 0 {
		return "", time.Time{}, nil // remembering is off
	}
	token, err := credential.NewToken()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.Now().UTC()
	d := &Device{TokenHash: credential.HashToken(token), AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(s.Config.DeviceTTL)}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.AddDevice(ctx, d); err != nil {
			return fmt.Errorf("remember device: %w", err)
		}
		return s.record(ctx, accountID, change{action: ActionDeviceRemembered, ip: ip})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, d.ExpiresAt, nil
}

// DeviceTrusted reports whether token is a live remembered device of the account.
func (s *Service) DeviceTrusted(ctx context.Context, accountID, token string) (bool, error) {
	if token == "" || len(token) > 128 || s.Config.DeviceTTL <= 0 {
		return false, nil
	}
	d, err := s.Store.DeviceByTokenHash(ctx, credential.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load device: %w", err)
	}
	return d.AccountID == accountID && s.Now().Before(d.ExpiresAt), nil
}

// ForgetDevices forgets every remembered device of the account, so that the next sign-in on
// each asks for the second factor again: after the password changes hands (a reset, a
// recovery) a device remembered by whoever knew the old one must not skip it.
func (s *Service) ForgetDevices(ctx context.Context, accountID string) error {
	if err := s.Store.DeleteDevices(ctx, accountID); err != nil {
		return fmt.Errorf("forget devices: %w", err)
	}
	return nil
}
