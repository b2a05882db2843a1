package operator

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
// Its messages count under the limits of registrations (per phone or email, per center; see
// restoreCounters): past one the request fails with a *ledger.Failure rate_limited, nothing
// changes, and the same request id may be resent once the window has passed.
func (s *Service) Restore(ctx context.Context, a Actor, requestID string, in RestoreInput) (*ledger.Request, bool, error) {
	r := &restoration{}
	r.in, r.err = normRestore(in)
	prepare := func(ctx context.Context) error { return s.prepareRestore(ctx, a, r) }
	return s.do(ctx, a, requestID, TypeRestore, r.in, prepare, func(ctx context.Context) (ledger.Outcome, error) {
		acc, err := s.restorable(ctx, r)
		if err != nil {
			return ledger.Outcome{}, err
		}
		done, err := s.restore(ctx, a, requestID, acc, r.in, r.pw)
		if err != nil {
			return ledger.Outcome{}, err
		}
		return ledger.Outcome{Subject: acc.ID, Message: "access restored: " + done,
			Result: s.result(requestID, acc, "Access restored ("+done+"); every session was ended.")}, nil
	})
}

// restoration is a Restore request as prepared outside the ledger's transaction.
type restoration struct {
	in      RestoreInput
	pw      password
	err     error // the input's refusal
	limited error // a message limit reached already: the request fails
}

// prepareRestore hashes the temporary password, unless the input was refused or a message
// limit is reached already (then the request fails without costing a hash).
func (s *Service) prepareRestore(ctx context.Context, a Actor, r *restoration) error {
	if r.err != nil {
		return nil
	}
	err := s.peekRestore(ctx, a, r.in)
	if limited(err, &r.limited) {
		return nil
	}
	if err != nil || !r.in.TempPassword {
		return err
	}
	r.pw, err = s.preparePassword(ctx, ActivationPassword)
	return err
}

// restorable loads the account to restore, inside the ledger's transaction. The refusals come
// first (the input's, account_not_found, not_standard, a new contact of another account),
// limit or not; then a limit that prepareRestore found reached fails the request.
func (s *Service) restorable(ctx context.Context, r *restoration) (*account.Account, error) {
	if r.err != nil {
		return nil, r.err
	}
	st, err := s.loadActive(ctx, r.in.AccountID)
	if err != nil {
		return nil, err
	}
	if !st.standard() {
		_, advice := st.advise()
		return nil, reject(CodeNotStandard, statusConflict, "Access is restored in person only to an account "+
			"with a verified passport to compare. "+advice)
	}
	if err := s.refuseTaken(ctx, st.acc, r.in); err != nil {
		return nil, err
	}
	if r.limited != nil {
		return nil, r.limited
	}
	return st.acc, nil
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

// restore applies the restoration inside the ledger's transaction and says what it did. It
// counts the messages first: past a limit nothing is done.
func (s *Service) restore(ctx context.Context, a Actor, requestID string, acc *account.Account, in RestoreInput, pw password) (string, error) {
	what, err := s.hit(ctx, s.restoreCounters(a, acc, in)...)
	if err = sendFailure(what, err); err != nil {
		return "", err
	}
	center := s.centerName(ctx, a.CenterID)
	var done []string
	for _, c := range newContacts(in) {
		if err := s.rebind(ctx, acc, c.kind, c.value, center); err != nil {
			return "", err
		}
		done = append(done, string(c.kind))
	}
	if err := s.endAccess(ctx, a, acc.ID); err != nil {
		return "", err
	}
	if in.TempPassword {
		if err := s.sendTemporary(ctx, acc.ID, pw, center); err != nil {
			return "", err
		}
		done = append([]string{"password"}, done...)
	}
	d := s.details(ctx, a, requestID)
	d["changed"] = strings.Join(done, ",")
	return d["changed"], s.record(ctx, a, ActionRestored, acc.ID, d)
}

// sendTemporary sets the temporary password and sends it to the account's contact (the
// phone, else the email), as it is after the rebinding.
func (s *Service) sendTemporary(ctx context.Context, accountID string, pw password, center string) error {
	fresh, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return err
	}
	if err := s.Accounts.SetPassword(ctx, accountID, account.Password{Hash: pw.hash, MustChange: true, UpdatedAt: s.now()}); err != nil {
		return err
	}
	data := map[string]any{"Name": fresh.FirstName, "Site": s.Config.SiteURL, "Center": center, "Password": pw.plain}
	return s.sendFirst(ctx, fresh, messages.OperatorPasswordReset, data)
}

// contactValue is a contact's kind and value.
type contactValue struct {
	kind  account.ContactKind
	value string
}

// newContacts are the contacts a restoration binds: the new phone, then the new email.
func newContacts(in RestoreInput) []contactValue {
	var out []contactValue
	for _, c := range []contactValue{{account.Phone, in.NewPhone}, {account.Email, in.NewEmail}} {
		if c.value != "" {
			out = append(out, c)
		}
	}
	return out
}

// refuseTaken refuses new contacts that belong to another account (validation_failed, code
// contact_already_registered on each such field).
func (s *Service) refuseTaken(ctx context.Context, acc *account.Account, in RestoreInput) error {
	var f fields
	for _, c := range newContacts(in) {
		ids, err := s.Store.FindAccounts(ctx, string(c.kind), c.value)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(ids, func(id string) bool { return id != acc.ID }) {
			f.add("new_"+string(c.kind), "contact_already_registered", "this contact belongs to another account")
		}
	}
	return f.err()
}

// rebind replaces the account's contact of kind with value (refuseTaken has checked that no
// other account has it); the old contact and the new one are told.
func (s *Service) rebind(ctx context.Context, acc *account.Account, kind account.ContactKind, value, center string) error {
	old, hadOld := acc.Contact(kind)
	if hadOld && old.Value == value {
		return nil
	}
	c := account.Contact{ID: uuid.Must(uuid.NewV7()).String(), Kind: kind, Value: value, Verified: true, CreatedAt: s.now()}
	if hadOld {
		c.ID = old.ID
	}
	if err := s.Contacts.ReplaceContact(ctx, acc.ID, c); err != nil {
		return fmt.Errorf("rebind %s: %w", kind, err) // ErrTaken: taken meanwhile; the ledger runs it again
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

// restoreCounters are the counters of a restoration's messages, under the rules of
// registrations (sendCounters), so that restorations and registrations share each budget:
// every phone or email it messages for the citizen (the new contacts, and where the
// temporary password goes) and the center. The old contacts, told that they were replaced,
// are not counted: that notice is the owner's warning of a stolen account. acc may be nil
// (not found yet): then the password's target is known only when it is a new contact.
func (s *Service) restoreCounters(a Actor, acc *account.Account, in RestoreInput) []counter {
	targets := newContacts(in)
	if t := passwordTarget(acc, in); in.TempPassword && t.value != "" && !slices.Contains(targets, t) {
		targets = append(targets, t)
	}
	var cs []counter
	for _, t := range targets {
		cs = append(cs, counter{rule: s.Config.Limits.SendPerTarget, kind: string(t.kind), value: t.value,
			what: "too many messages from service centers to this " + string(t.kind)})
	}
	return append(cs, counter{rule: s.Config.Limits.SendPerCenter, kind: "center", value: a.CenterID,
		what: "too many registrations and restorations at this center"})
}

// passwordTarget is where a restoration's temporary password goes (sendFirst): the phone,
// else the email, as they are after the rebinding.
func passwordTarget(acc *account.Account, in RestoreInput) contactValue {
	phone, email := in.NewPhone, in.NewEmail
	if acc != nil {
		if c, ok := acc.Contact(account.Phone); ok && phone == "" {
			phone = c.Value
		}
		if c, ok := acc.Contact(account.Email); ok && email == "" {
			email = c.Value
		}
	}
	if phone != "" {
		return contactValue{account.Phone, phone}
	}
	return contactValue{account.Email, email}
}

// peekRestore is restore's count without counting, for a check before the hash. When the
// temporary password goes to a stored contact, it reads the account outside the transaction
// to know which.
func (s *Service) peekRestore(ctx context.Context, a Actor, in RestoreInput) error {
	var acc *account.Account // nil: not found, which the request refuses (loadActive)
	if in.TempPassword && in.NewPhone == "" {
		var err error
		acc, err = s.activeAccount(ctx, in.AccountID)
		if errors.Is(err, errAccountNotFound) {
			acc = nil
		} else if err != nil {
			return err
		}
	}
	what, err := s.peek(ctx, s.restoreCounters(a, acc, in)...)
	return sendFailure(what, err)
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
