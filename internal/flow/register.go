package flow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/store"
)

// RegistrationInput is what a citizen types to start registering.
type RegistrationInput struct {
	LastName, FirstName, MiddleName string
	Phone, Email                    string
}

// StartRegistration validates in, opens a registration flow and sends a code to each contact.
// A contact that already belongs to an account gets a warning instead of a code, and the answer
// is the same as for a new contact.
func (s *Service) StartRegistration(ctx context.Context, in RegistrationInput, m Meta) (*Registration, error) {
	reg, err := s.newRegistration(in, m)
	if err != nil {
		return nil, err
	}
	if err := s.limit(ctx, s.Config.RegisterPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	for _, c := range reg.Contacts {
		if err := s.limitSend(ctx, c.Kind, c.Value, m.IP); err != nil {
			return nil, err
		}
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		for i := range reg.Contacts {
			if err := s.sendCode(ctx, reg, &reg.Contacts[i]); err != nil {
				return err
			}
		}
		return s.Flows.CreateRegistration(ctx, reg)
	})
	if err != nil {
		return nil, fmt.Errorf("start registration: %w", err)
	}
	return reg, nil
}

func (s *Service) newRegistration(in RegistrationInput, m Meta) (*Registration, error) {
	v := &ValidationError{Code: "validation_failed"}
	reg := &Registration{
		ID:         uuid.Must(uuid.NewV7()).String(),
		State:      AwaitingCodes,
		LastName:   checkName(v, "last_name", in.LastName, true),
		FirstName:  checkName(v, "first_name", in.FirstName, true),
		MiddleName: checkName(v, "middle_name", in.MiddleName, false),
		Locale:     messages.Lang(m.Locale),
	}
	phone, email := strings.TrimSpace(in.Phone), strings.TrimSpace(in.Email)
	if phone == "" && email == "" {
		v.add("phone", "contact_required", "give a mobile phone or an email")
		v.add("email", "contact_required", "give a mobile phone or an email")
	}
	if phone != "" {
		addContact(v, reg, account.Phone, "phone", ident.NormalizePhone, phone)
	}
	if email != "" {
		addContact(v, reg, account.Email, "email", ident.NormalizeEmail, email)
	}
	if err := v.orNil(); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	reg.CreatedAt, reg.ExpiresAt = now, now.Add(s.Config.FlowTTL)
	return reg, nil
}

func addContact(v *ValidationError, reg *Registration, kind account.ContactKind, field string, norm func(string) (string, error), raw string) {
	val, err := norm(raw)
	if err != nil {
		v.add(field, identCode(err), err.Error())
		return
	}
	reg.Contacts = append(reg.Contacts, PendingContact{Kind: kind, Value: val})
}

func identCode(err error) string {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return ie.Code
	}
	return "invalid"
}

// checkName validates a personal name: letters (any script), spaces, hyphens, apostrophes and
// dots, at most 100 characters.
func checkName(v *ValidationError, field, raw string, required bool) string {
	name := strings.Join(strings.Fields(raw), " ")
	switch {
	case name == "" && required:
		v.add(field, "required", "this field is required")
	case utf8.RuneCountInString(name) > 100:
		v.add(field, "too_long", "at most 100 characters")
	case name != "" && !validName(name):
		v.add(field, "invalid_characters", "use letters, spaces, hyphens and apostrophes only")
	}
	return name
}

func validName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.':
		default:
			return false
		}
	}
	return letters > 0
}

// sendCode queues a fresh code for c (or a warning to its owner when the contact is taken).
func (s *Service) sendCode(ctx context.Context, reg *Registration, c *PendingContact) error {
	now := s.Now().UTC()
	c.CodeSentAt, c.Attempts = now, 0
	owner, err := s.Accounts.FindByContact(ctx, c.Kind, c.Value)
	switch {
	case err == nil:
		c.Taken, c.CodeHash = true, ""
		return s.Outbox.Send(ctx, channel(c.Kind), c.Value, owner.Locale, messages.ContactTaken,
			map[string]any{"Site": s.Config.SiteURL + "/login"})
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("look up contact owner: %w", err)
	}
	code, err := credential.NewNumericCode(s.Config.CodeDigits)
	if err != nil {
		return err
	}
	c.CodeHash = s.CodeKey.Hash(codeScope(reg.ID, c.Kind), code)
	c.CodeExpiresAt = now.Add(s.Config.CodeTTL)
	data := map[string]any{"Code": code, "Minutes": strconv.Itoa(int(s.Config.CodeTTL.Minutes()))}
	if c.Kind == account.Email {
		data["Link"] = fmt.Sprintf("%s/register/%s/confirm?channel=email&code=%s", s.Config.SiteURL, reg.ID, code)
	}
	return s.Outbox.Send(ctx, channel(c.Kind), c.Value, reg.Locale, messages.RegistrationCode, data)
}

func codeScope(flowID string, kind account.ContactKind) string {
	return "registration:" + flowID + ":" + string(kind)
}

func channel(k account.ContactKind) notify.Channel {
	if k == account.Phone {
		return notify.SMS
	}
	return notify.Email
}
