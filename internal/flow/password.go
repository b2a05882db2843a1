package flow

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// Signed is the result of a step that signs the citizen in.
type Signed struct {
	Account *account.Account
	Session *session.Session
	Token   string
}

// CheckPassword applies the password policy and returns a password_too_weak error listing
// every unmet rule, or nil.
func CheckPassword(pw string) error {
	vs := credential.CheckPassword(pw)
	if len(vs) == 0 {
		return nil
	}
	v := &ValidationError{Code: "password_too_weak"}
	for _, x := range vs {
		v.add("password", x.Code, x.Message)
	}
	return v
}

// SetPassword finishes a registration: it creates the account at the simplified level with
// the confirmed contacts and signs the citizen in.
func (s *Service) SetPassword(ctx context.Context, id, password string, m Meta) (*Signed, error) {
	reg, err := s.GetRegistration(ctx, id)
	if err != nil {
		return nil, err
	}
	if reg.State == Completed {
		return nil, ErrFlowCompleted
	}
	if reg.ConfirmedCount() == 0 {
		return nil, ErrNotConfirmed
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	var out *Signed
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		out, err = s.completeRegistration(ctx, id, hash, m)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, ErrContactRegistered
	}
	if err != nil {
		return nil, err
	}
	if s.OnRegistered != nil {
		s.OnRegistered()
	}
	return out, nil
}

// completeRegistration runs in the caller's transaction: re-reads the flow (a concurrent
// SetPassword may have won), creates the account, records it, and starts a session.
func (s *Service) completeRegistration(ctx context.Context, id, hash string, m Meta) (*Signed, error) {
	reg, err := s.GetRegistration(ctx, id)
	if err != nil {
		return nil, err
	}
	if reg.State == Completed {
		return nil, ErrFlowCompleted
	}
	now := s.Now().UTC()
	acc := &account.Account{
		ID: uuid.Must(uuid.NewV7()).String(), Level: account.Simplified, State: account.Active,
		LastName: reg.LastName, FirstName: reg.FirstName, MiddleName: reg.MiddleName,
		Locale: reg.Locale, CreatedAt: now, UpdatedAt: now,
	}
	for _, c := range reg.Contacts {
		if c.Confirmed {
			acc.Contacts = append(acc.Contacts, account.Contact{
				ID: uuid.Must(uuid.NewV7()).String(), Kind: c.Kind, Value: c.Value, Verified: true, CreatedAt: now,
			})
		}
	}
	if err := s.Accounts.CreateAccount(ctx, acc, account.Password{Hash: hash, UpdatedAt: now}); err != nil {
		return nil, err
	}
	reg.State, reg.AccountID = Completed, acc.ID
	if err := s.Flows.UpdateRegistration(ctx, reg); err != nil {
		return nil, err
	}
	if err := s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: audit.AccountCreated, Actor: "self",
		IP: m.IP, Details: map[string]string{"level": string(acc.Level), "via": "self_registration"}}); err != nil {
		return nil, err
	}
	if err := s.welcome(ctx, acc); err != nil {
		return nil, err
	}
	sess, token, err := s.Sessions.Create(ctx, acc.ID, []string{"pwd"}, s.session(m))
	if err != nil {
		return nil, err
	}
	return &Signed{Account: acc, Session: sess, Token: token}, nil
}

func (s *Service) welcome(ctx context.Context, acc *account.Account) error {
	c, ok := acc.Contact(account.Email)
	if !ok {
		return nil
	}
	return s.Outbox.Send(ctx, channel(c.Kind), c.Value, acc.Locale, messages.Welcome,
		map[string]any{"Name": acc.FirstName, "Site": s.Config.SiteURL})
}
