package operator

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notify"
)

// Restore restores access to an account whose owner showed the passport: a temporary password
// (changed at the next sign-in), and/or new contacts in place of lost or stolen ones. Every
// session and token ends, the second factors and remembered devices are reset, the old
// contacts are told, and the new ones are bound as verified (the citizen gave them in person).
func (s *Service) Restore(ctx context.Context, a Actor, requestID string, in RestoreInput) (*ledger.Request, bool, error) {
	in, verr := normRestore(in)
	var pw password
	prepare := func(ctx context.Context) (err error) {
		if verr == nil && in.TempPassword {
			pw, err = s.preparePassword(ctx, ActivationPassword)
		}
		return err
	}
	return s.do(ctx, a, requestID, TypeRestore, in, prepare, func(ctx context.Context) (ledger.Outcome, error) {
		if verr != nil {
			return ledger.Outcome{}, verr
		}
		st, err := s.loadActive(ctx, in.AccountID)
		if err != nil {
			return ledger.Outcome{}, err
		}
		if !st.standard() {
			return ledger.Outcome{}, reject(CodeNotStandard, statusConflict, "Access is restored in person only to an account "+
				"with a verified passport to compare. "+func() string { _, m := st.advise(); return m }())
		}
		done, err := s.restore(ctx, a, requestID, st.acc, in, pw)
		if err != nil {
			return ledger.Outcome{}, err
		}
		return ledger.Outcome{Subject: st.acc.ID, Message: "access restored: " + done,
			Result: s.result(requestID, st.acc, "Access restored ("+done+"); every session was ended.")}, nil
	})
}

func normRestore(in RestoreInput) (RestoreInput, error) {
	var f fields
	in.AccountID = strings.TrimSpace(in.AccountID)
	if in.AccountID == "" {
		f.add("account_id", "required", "this field is required")
	}
	in.NewPhone, in.NewEmail = strings.TrimSpace(in.NewPhone), strings.TrimSpace(in.NewEmail)
	if in.NewPhone != "" {
		in.NewPhone = normIdent(&f, "new_phone", in.NewPhone, ident.NormalizePhone)
	}
	if in.NewEmail != "" {
		in.NewEmail = normIdent(&f, "new_email", in.NewEmail, ident.NormalizeEmail)
	}
	if !in.TempPassword && in.NewPhone == "" && in.NewEmail == "" {
		f.add("temp_password", "required", "ask for a temporary password, a new phone or a new email")
	}
	return in, f.err()
}

// restore applies the restoration inside the ledger's transaction and says what it did.
func (s *Service) restore(ctx context.Context, a Actor, requestID string, acc *account.Account, in RestoreInput, pw password) (string, error) {
	center := s.centerName(ctx, a.CenterID)
	var done []string
	for _, c := range []struct {
		kind  account.ContactKind
		value string
	}{{account.Phone, in.NewPhone}, {account.Email, in.NewEmail}} {
		if c.value == "" {
			continue
		}
		if err := s.rebind(ctx, acc, c.kind, c.value, center); err != nil {
			return "", err
		}
		done = append(done, string(c.kind))
	}
	if err := s.endAccess(ctx, a, acc.ID); err != nil {
		return "", err
	}
	fresh, err := s.Accounts.GetAccount(ctx, acc.ID)
	if err != nil {
		return "", err
	}
	if in.TempPassword {
		if err := s.Accounts.SetPassword(ctx, acc.ID, account.Password{Hash: pw.hash, MustChange: true, UpdatedAt: s.now()}); err != nil {
			return "", err
		}
		data := map[string]any{"Name": acc.FirstName, "Site": s.Config.SiteURL, "Center": center, "Password": pw.plain}
		if err := s.sendFirst(ctx, fresh, messages.OperatorPasswordReset, data); err != nil {
			return "", err
		}
		done = append([]string{"password"}, done...)
	}
	d := s.details(ctx, a, requestID)
	d["changed"] = strings.Join(done, ",")
	return d["changed"], s.record(ctx, a, ActionRestored, acc.ID, d)
}

// rebind replaces the account's contact of kind with value, refusing a value verified on
// another account; the old contact and the new one are told.
func (s *Service) rebind(ctx context.Context, acc *account.Account, kind account.ContactKind, value, center string) error {
	ids, err := s.Store.FindAccounts(ctx, string(kind), value)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id != acc.ID {
			var f fields
			f.add("new_"+string(kind), "contact_already_registered", "this contact belongs to another account")
			return f.err()
		}
	}
	old, hadOld := acc.Contact(kind)
	if hadOld && old.Value == value {
		return nil
	}
	c := account.Contact{ID: uuid.Must(uuid.NewV7()).String(), Kind: kind, Value: value, Verified: true, CreatedAt: s.now()}
	if hadOld {
		c.ID = old.ID
	}
	if err := s.Contacts.ReplaceContact(ctx, acc.ID, c); err != nil {
		return fmt.Errorf("rebind %s: %w", kind, err)
	}
	ch := channel(kind)
	data := map[string]any{"Name": acc.FirstName, "Center": center, "Kind": string(kind), "Site": s.Config.SiteURL}
	if hadOld {
		if err := s.Outbox.Send(ctx, ch, old.Value, acc.Locale, messages.OperatorContactRebound, data); err != nil {
			return err
		}
	}
	return s.Outbox.Send(ctx, ch, value, acc.Locale, messages.OperatorContactBound, data)
}

func channel(kind account.ContactKind) notify.Channel {
	if kind == account.Phone {
		return notify.SMS
	}
	return notify.Email
}

// endAccess ends every session (with back-channel logout) and token, and resets the second
// factors and remembered devices, as access recovery does.
func (s *Service) endAccess(ctx context.Context, a Actor, accountID string) error {
	if _, err := s.Sessions.RevokeAll(ctx, accountID, ""); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	if err := s.Grants.RevokeAccountGrants(ctx, accountID); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	if s.SecondFactors == nil {
		return nil
	}
	if err := s.SecondFactors.ForgetDevices(ctx, accountID); err != nil {
		return err
	}
	return s.SecondFactors.Reset(ctx, accountID, "operator:"+a.OperatorID)
}
