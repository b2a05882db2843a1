package settings

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// ContactChange is a pending change of the account's phone or email: the new value and the
// code sent to it.
//
//	stateDiagram-v2
//	    [*] --> pending: StartContactChange (code to the new contact, or a warning to its owner)
//	    pending --> pending: wrong code
//	    pending --> done: ConfirmContactChange (contact replaced, the old one told)
type ContactChange struct {
	ID            string
	AccountID     string
	Kind          account.ContactKind
	Value         string
	Taken         bool // the value is another account's: its owner was warned, no code was sent
	CodeHash      string
	CodeSentAt    time.Time
	CodeExpiresAt time.Time
	Attempts      int
	Done          bool
	Locale        string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	Version       int
}

// StartContactChange sends a code to the new phone or email of kind ("phone" or "email").
// When the value is confirmed on another account, its owner is warned instead and no code is
// sent, with the same answer: the change then never confirms. It needs a recent sign-in.
func (s *Service) StartContactChange(ctx context.Context, sess *session.Session, kind, raw string, m flow.Meta) (*ContactChange, error) {
	if err := s.fresh(sess); err != nil {
		return nil, err
	}
	c, err := s.newChange(sess.AccountID, kind, raw, m)
	if err != nil {
		return nil, err
	}
	acc, err := s.account(ctx, sess.AccountID)
	if err != nil {
		return nil, err
	}
	if cur, ok := acc.Contact(c.Kind); ok && cur.Verified && cur.Value == c.Value {
		return nil, validation("validation_failed", "value", "same_as_current", "this is already your contact")
	}
	for _, l := range []struct{ rule, kind, value string }{
		{"user", "contact_change", acc.ID}, {"target", string(c.Kind), c.Value}, {"ip", "ip", m.IP},
	} {
		rule := map[string]ratelimit.Rule{"user": s.Config.ChangesPerUser, "target": s.Config.SendPerTarget, "ip": s.Config.SendPerIP}[l.rule]
		if err := s.limit(ctx, rule, l.kind, l.value); err != nil {
			return nil, err
		}
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.sendChangeCode(ctx, acc, c); err != nil {
			return err
		}
		return s.Store.CreateContactChange(ctx, c)
	})
	if err != nil {
		return nil, fmt.Errorf("start contact change: %w", err)
	}
	return c, nil
}

func (s *Service) newChange(accountID, kind, raw string, m flow.Meta) (*ContactChange, error) {
	var norm func(string) (string, error)
	switch account.ContactKind(kind) {
	case account.Phone:
		norm = ident.NormalizePhone
	case account.Email:
		norm = ident.NormalizeEmail
	default:
		return nil, validation("validation_failed", "kind", "invalid_choice", "kind must be phone or email")
	}
	value, err := norm(strings.TrimSpace(raw))
	if err != nil {
		code := "invalid"
		var ie *ident.Error
		if errors.As(err, &ie) {
			code = ie.Code
		}
		return nil, validation("validation_failed", "value", code, err.Error())
	}
	now := s.Now().UTC()
	return &ContactChange{ID: uuid.Must(uuid.NewV7()).String(), AccountID: accountID, Kind: account.ContactKind(kind),
		Value: value, Locale: messages.Lang(m.Locale), CreatedAt: now, ExpiresAt: now.Add(s.Config.ChangeTTL)}, nil
}

// sendChangeCode queues the code to the new contact, or the warning to its other owner.
func (s *Service) sendChangeCode(ctx context.Context, acc *account.Account, c *ContactChange) error {
	now := s.Now().UTC()
	c.CodeSentAt, c.Attempts = now, 0
	owner, err := s.Accounts.FindByContact(ctx, c.Kind, c.Value)
	switch {
	case err == nil && owner.ID != acc.ID:
		c.Taken, c.CodeHash = true, ""
		return s.Outbox.Send(ctx, notice.Channel(c.Kind), c.Value, owner.Locale, messages.ContactClaimed,
			map[string]any{"Site": s.Config.SiteURL + "/recover"})
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("look up contact owner: %w", err)
	}
	code, err := credential.NewNumericCode(s.Config.CodeDigits)
	if err != nil {
		return err
	}
	c.CodeHash = s.CodeKey.Hash(changeScope(c), code)
	c.CodeExpiresAt = now.Add(s.Config.CodeTTL)
	return s.Outbox.Send(ctx, notice.Channel(c.Kind), c.Value, c.Locale, messages.ContactCode,
		map[string]any{"Code": code, "Minutes": strconv.Itoa(int(s.Config.CodeTTL.Minutes()))})
}

func changeScope(c *ContactChange) string {
	return "contact_change:" + c.ID + ":" + string(c.Kind)
}

// GetContactChange returns sess's live contact change id.
func (s *Service) GetContactChange(ctx context.Context, sess *session.Session, id string) (*ContactChange, error) {
	c, err := s.Store.GetContactChange(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (c.AccountID != sess.AccountID || c.Done)) {
		return nil, ErrChangeNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load contact change: %w", err)
	}
	if !s.Now().Before(c.ExpiresAt) {
		return nil, ErrChangeExpired
	}
	return c, nil
}

// ConfirmContactChange checks the code sent to the new contact; when it is right, the
// contact replaces the account's contact of its kind, the old contact is told, and the
// change is audited. Wrong codes count as in registration. A contact confirmed meanwhile on
// another account is contact_already_registered; a transaction that loses a race (a
// deadlock, say) runs again, and one that keeps losing fails with store.ErrConflict.
func (s *Service) ConfirmContactChange(ctx context.Context, sess *session.Session, id, code string, m flow.Meta) (*account.Account, error) {
	if err := s.limit(ctx, s.Config.CheckPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if !digits(code, s.Config.CodeDigits) {
		return nil, validation("validation_failed", "code", "code_format", fmt.Sprintf("the code is %d digits", s.Config.CodeDigits))
	}
	var acc *account.Account
	for range 5 {
		var stepErr error
		err := s.Tx.InTx(ctx, func(ctx context.Context) error {
			c, err := s.GetContactChange(ctx, sess, id)
			if err != nil {
				return err
			}
			var save bool
			if save, stepErr = s.checkCode(c, code); stepErr != nil {
				if !save {
					return nil
				}
				return s.Store.UpdateContactChange(ctx, c)
			}
			acc, err = s.applyChange(ctx, c, m)
			return err
		})
		if isContactConflict(err) {
			return nil, flow.ErrContactRegistered
		}
		if errors.Is(err, store.ErrConflict) { // a lost race, a deadlock: run it again
			continue
		}
		if err != nil {
			return nil, err
		}
		return acc, stepErr
	}
	return nil, fmt.Errorf("confirm contact change: %w", store.ErrConflict)
}

// contactConflict marks the contact being confirmed on another account (store.ErrTaken), as
// opposed to another store.ErrConflict (a concurrent update of the change, a deadlock, a
// serialization failure), which may succeed when run again.
type contactConflict struct{ err error }

func (e *contactConflict) Error() string { return e.err.Error() }
func (e *contactConflict) Unwrap() error { return e.err }

func isContactConflict(err error) bool {
	var cc *contactConflict
	return errors.As(err, &cc)
}

// checkCode verifies code against c, counting a wrong entry (save tells whether c changed).
// A taken contact has no code, so every entry is wrong, as for a mistyped one.
func (s *Service) checkCode(c *ContactChange, code string) (save bool, err error) {
	if c.Attempts >= s.Config.CodeAttempts {
		return false, flow.ErrCodeAttempts
	}
	if !c.Taken && !s.Now().Before(c.CodeExpiresAt) {
		return false, flow.ErrCodeExpired
	}
	if c.Taken || c.CodeHash == "" || !s.CodeKey.Equal(changeScope(c), code, c.CodeHash) {
		c.Attempts++
		if c.Attempts >= s.Config.CodeAttempts {
			c.CodeHash = ""
			return true, flow.ErrCodeAttempts
		}
		return true, flow.ErrCodeInvalid
	}
	return false, nil
}

// applyChange replaces the contact, closes the change, audits it and tells the old contact
// (always) and the account's contacts (as they chose), inside the caller's transaction.
func (s *Service) applyChange(ctx context.Context, c *ContactChange, m flow.Meta) (*account.Account, error) {
	acc, err := s.account(ctx, c.AccountID)
	if err != nil {
		return nil, err
	}
	old, hadOld := acc.Contact(c.Kind)
	nc := account.Contact{ID: uuid.Must(uuid.NewV7()).String(), Kind: c.Kind, Value: c.Value, Verified: true,
		CreatedAt: s.Now().UTC()}
	if hadOld {
		nc.ID = old.ID
	}
	if err := s.Store.ReplaceContact(ctx, acc.ID, nc); err != nil {
		if errors.Is(err, store.ErrTaken) {
			return nil, &contactConflict{err}
		}
		return nil, err
	}
	c.Done, c.CodeHash = true, ""
	if err := s.Store.UpdateContactChange(ctx, c); err != nil {
		return nil, err
	}
	details := map[string]string{"kind": string(c.Kind), "change": "added"}
	if hadOld {
		details["change"] = "replaced"
	}
	if err := s.record(ctx, acc.ID, ActionContactChanged, m.IP, details); err != nil {
		return nil, err
	}
	if acc, err = s.account(ctx, acc.ID); err != nil {
		return nil, err
	}
	data := s.greeting(acc)
	data["Kind"] = string(c.Kind)
	if hadOld && old.Verified && old.Value != c.Value {
		if err := s.Outbox.Send(ctx, notice.Channel(old.Kind), old.Value, acc.Locale, messages.ContactChanged, data); err != nil {
			return nil, err
		}
	}
	return acc, s.Notices.Tell(ctx, acc, notice.Contact, messages.ContactChanged, data)
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
