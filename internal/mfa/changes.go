package mfa

import (
	"context"
	"fmt"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/session"
)

// Audit actions of second factors.
const (
	ActionTOTPEnabled          = "mfa.totp_enabled"
	ActionTOTPDisabled         = "mfa.totp_disabled"
	ActionSMSEnabled           = "mfa.sms_enabled"
	ActionSMSDisabled          = "mfa.sms_disabled"
	ActionPasskeyAdded         = "mfa.passkey_added"
	ActionPasskeyRemoved       = "mfa.passkey_removed"
	ActionRecoveryCodesCreated = "mfa.recovery_codes_created"
	ActionRecoveryCodeUsed     = "mfa.recovery_code_used"
	ActionReset                = "mfa.reset"
	ActionDeviceRemembered     = "mfa.device_remembered"
)

// change is one audited change, with the message telling the citizen about it.
type change struct {
	action  string
	tpl     messages.Template
	actor   string
	ip      string
	details map[string]string
}

// record audits c and tells the account's confirmed contacts, inside the transaction in ctx.
func (s *Service) record(ctx context.Context, accountID string, c change) error {
	if c.actor == "" {
		c.actor = "self"
	}
	if err := s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: c.action, Actor: c.actor,
		IP: c.ip, Details: c.details}); err != nil {
		return err
	}
	if s.Outbox == nil || c.tpl == "" {
		return nil
	}
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return fmt.Errorf("load account: %w", err)
	}
	data := map[string]any{"Name": strings.TrimSpace(acc.FirstName + " " + acc.MiddleName), "Site": s.Config.SiteURL}
	for _, ct := range acc.Contacts {
		if !ct.Verified {
			continue
		}
		ch := notify.Email
		if ct.Kind == account.Phone {
			ch = notify.SMS
		}
		if err := s.Outbox.Send(ctx, ch, ct.Value, acc.Locale, c.tpl, data); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	return nil
}

// inTx runs fn after checking that sess may change second factors.
func (s *Service) changeTx(ctx context.Context, sess *session.Session, fn func(ctx context.Context) error) error {
	if err := s.fresh(sess); err != nil {
		return err
	}
	return s.Tx.InTx(ctx, fn)
}

// EnableSMS turns on SMS codes as a second factor; the account needs a confirmed phone.
func (s *Service) EnableSMS(ctx context.Context, sess *session.Session, ip string) error {
	return s.changeTx(ctx, sess, func(ctx context.Context) error {
		acc, err := s.Accounts.GetAccount(ctx, sess.AccountID)
		if err != nil {
			return fmt.Errorf("load account: %w", err)
		}
		if !phoneConfirmed(acc) {
			return ErrPhoneRequired
		}
		if err := s.Store.SetSMSFactor(ctx, acc.ID, true, s.Now().UTC()); err != nil {
			return fmt.Errorf("enable sms: %w", err)
		}
		return s.record(ctx, acc.ID, change{action: ActionSMSEnabled, tpl: messages.SMSFactorEnabled, ip: ip})
	})
}

// DisableSMS turns SMS codes as a second factor off.
func (s *Service) DisableSMS(ctx context.Context, sess *session.Session, ip string) error {
	return s.changeTx(ctx, sess, func(ctx context.Context) error {
		if err := s.Store.SetSMSFactor(ctx, sess.AccountID, false, s.Now().UTC()); err != nil {
			return fmt.Errorf("disable sms: %w", err)
		}
		return s.record(ctx, sess.AccountID, change{action: ActionSMSDisabled, tpl: messages.SMSFactorDisabled, ip: ip})
	})
}

// Reset removes every second factor, recovery code and remembered device of the account:
// an operator or the recovery flow calls it when the citizen lost them. actor is recorded in
// the audit log ("operator:<id>", "system", "self"). It joins the transaction in ctx.
func (s *Service) Reset(ctx context.Context, accountID string, actor ...string) error {
	who := "system"
	if len(actor) > 0 && actor[0] != "" {
		who = actor[0]
	}
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.DeleteSecondFactors(ctx, accountID); err != nil {
			return fmt.Errorf("reset second factors: %w", err)
		}
		return s.record(ctx, accountID, change{action: ActionReset, tpl: messages.SecondFactorsReset, actor: who})
	})
}
