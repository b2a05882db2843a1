package notice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notify"
	"github.com/civis-id/civis/internal/store"
)

// Kind is a kind of event a citizen can be told about.
type Kind string

// Event kinds, in the order pages show them.
const (
	SignIn       Kind = "sign_in"
	Password     Kind = "password"
	Contact      Kind = "contact"
	SecondFactor Kind = "second_factor"
	DataReleased Kind = "data_released"
)

// Kinds lists every kind.
var Kinds = []Kind{SignIn, Password, Contact, SecondFactor, DataReleased}

// Channels says which channels carry notices of one kind.
type Channels struct {
	SMS   bool `json:"sms"`
	Email bool `json:"email"`
}

// Prefs are an account's choices, one entry per kind.
type Prefs map[Kind]Channels

// Defaults are the choices of an account that made none: security changes by every channel,
// sign-ins and data releases by none (the event log shows them).
func Defaults() Prefs {
	return Prefs{
		SignIn:       {},
		Password:     {SMS: true, Email: true},
		Contact:      {SMS: true, Email: true},
		SecondFactor: {SMS: true, Email: true},
		DataReleased: {},
	}
}

// ErrUnknownKind is returned by Validate for a kind this version does not know.
var ErrUnknownKind = errors.New("unknown notice kind")

// Validate checks that p names known kinds only.
func (p Prefs) Validate() error {
	for k := range p {
		if !known(k) {
			return fmt.Errorf("%w: %q", ErrUnknownKind, k)
		}
	}
	return nil
}

// Merge returns the defaults overridden by p's entries.
func (p Prefs) Merge() Prefs {
	out := Defaults()
	for k, c := range p {
		if known(k) {
			out[k] = c
		}
	}
	return out
}

func known(k Kind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Store persists the choices.
type Store interface {
	// NotificationPrefs returns the account's choices, or store.ErrNotFound when it made none.
	NotificationPrefs(ctx context.Context, accountID string) (Prefs, error)
	// SetNotificationPrefs replaces them.
	SetNotificationPrefs(ctx context.Context, accountID string, p Prefs, at time.Time) error
}

// Notifier sends notices inside the caller's transaction (see messages.Outbox.Send).
type Notifier struct {
	Store  Store
	Outbox *messages.Outbox
}

// Prefs returns the account's choices, with the defaults where it made none.
func (n *Notifier) Prefs(ctx context.Context, accountID string) (Prefs, error) {
	p, err := n.Store.NotificationPrefs(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return Defaults(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load notification settings: %w", err)
	}
	return p.Merge(), nil
}

// Wants reports whether the account wants notices of kind on channel ch.
func (n *Notifier) Wants(ctx context.Context, accountID string, kind Kind, ch notify.Channel) (bool, error) {
	p, err := n.Prefs(ctx, accountID)
	if err != nil {
		return false, err
	}
	c := p[kind]
	if ch == notify.SMS {
		return c.SMS, nil
	}
	return c.Email, nil
}

// Tell sends tpl with data to the account's confirmed contacts whose channel the citizen
// chose for kind.
func (n *Notifier) Tell(ctx context.Context, acc *account.Account, kind Kind, tpl messages.Template, data map[string]any) error {
	p, err := n.Prefs(ctx, acc.ID)
	if err != nil {
		return err
	}
	c := p[kind]
	return n.send(ctx, acc, tpl, data, func(ch notify.Channel) bool {
		return (ch == notify.SMS && c.SMS) || (ch == notify.Email && c.Email)
	})
}

// TellAll sends tpl with data to every confirmed contact of the account, whatever its
// choices: for the notices through which an owner learns that someone else took the account.
func (n *Notifier) TellAll(ctx context.Context, acc *account.Account, tpl messages.Template, data map[string]any) error {
	return n.send(ctx, acc, tpl, data, func(notify.Channel) bool { return true })
}

func (n *Notifier) send(ctx context.Context, acc *account.Account, tpl messages.Template, data map[string]any, want func(notify.Channel) bool) error {
	for _, c := range acc.Contacts {
		ch := Channel(c.Kind)
		if !c.Verified || !want(ch) {
			continue
		}
		if err := n.Outbox.Send(ctx, ch, c.Value, acc.Locale, tpl, data); err != nil {
			return fmt.Errorf("notify %s: %w", tpl, err)
		}
	}
	return nil
}

// Channel is the channel that reaches a contact of kind.
func Channel(k account.ContactKind) notify.Channel {
	if k == account.Phone {
		return notify.SMS
	}
	return notify.Email
}
