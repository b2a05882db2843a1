package letters

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/store"
)

// Profiles reads the registration address that prefills the order (proofing.Store does).
type Profiles interface {
	GetProfile(ctx context.Context, accountID string) (*proofing.Profile, error)
}

// Service orders letters, prints them in batches, follows their tracking and checks codes.
type Service struct {
	Tx       store.Transactor
	Store    Store
	Accounts account.Store
	Profiles Profiles // nil: no prefill
	CodeKey  credential.CodeKey
	Limiter  *ratelimit.Limiter
	Queue    *jobs.Queue
	Notices  *notice.Notifier
	Audit    *audit.Recorder
	Config   Config
	Now      func() time.Time
	// Rand is the source of the codes; nil means crypto/rand (tests inject a fixed one).
	Rand io.Reader
	// NewID makes letter and batch ids; nil means UUIDv7.
	NewID func() string
}

// Meta describes the client making a request, for the audit log.
type Meta = flow.Meta

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return uuid.Must(uuid.NewV7()).String()
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// codeScope binds a code's hash to its letter.
func codeScope(letterID string) string { return "letter:" + letterID }

// Status is what the cabinet shows about an account's letters.
type Status struct {
	Letter *Letter // the newest letter; nil when none was ordered
	State  State   // its state as the citizen sees it now
	// CanOrder says whether a letter can be ordered now; when not, Reason says why
	// (standard_level_required, already_confirmed, letter_too_soon, letter_limit) and, for the
	// limits, NextOrderAt says from when.
	CanOrder    bool
	Reason      string
	NextOrderAt time.Time
	// Prefill is the address to offer in the order form: the last letter's, else the
	// registration address of the profile.
	Prefill Address
}

// Status returns the account's letter status.
func (s *Service) Status(ctx context.Context, accountID string) (*Status, error) {
	acc, err := s.Accounts.GetAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	list, err := s.Store.AccountLetters(ctx, accountID, s.Config.MaxLetters)
	if err != nil {
		return nil, fmt.Errorf("load letters: %w", err)
	}
	now := s.now()
	st := &Status{}
	if len(list) > 0 {
		st.Letter, st.State = list[0], list[0].StateAt(now)
		st.Prefill = list[0].Address
	} else if st.Prefill, err = s.prefill(ctx, accountID); err != nil {
		return nil, err
	}
	if e := s.eligible(acc, list, now); e != nil {
		st.Reason = e.Code
		if e.RetryAfter > 0 {
			st.NextOrderAt = now.Add(e.RetryAfter)
		}
	} else {
		st.CanOrder = true
	}
	return st, nil
}

// prefill is the profile's registration address in the letter's fields.
func (s *Service) prefill(ctx context.Context, accountID string) (Address, error) {
	if s.Profiles == nil {
		return Address{}, nil
	}
	p, err := s.Profiles.GetProfile(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return Address{}, nil
	}
	if err != nil {
		return Address{}, fmt.Errorf("load profile: %w", err)
	}
	a := p.RegistrationAddress
	if a == nil || (a.Country != "" && a.Country != "RUS") {
		return Address{}, nil
	}
	return Address{Postcode: a.ZipCode, Region: a.Region, City: a.City, Street: a.Street, House: a.House, Flat: a.Flat}, nil
}

// eligible says why acc cannot order a letter now, given its newest letters (newest first,
// at least MaxLetters of them when it has that many); nil when it can.
func (s *Service) eligible(acc *account.Account, list []*Letter, now time.Time) *flow.Error {
	switch {
	case acc.Level == account.Confirmed:
		return ErrAlreadyConfirmed
	case acc.Level != account.Standard:
		return ErrStandardRequired
	}
	c := s.Config
	if len(list) > 0 {
		if next := list[0].OrderedAt.Add(c.MinInterval); now.Before(next) {
			return TooSoon(next.Sub(now))
		}
	}
	if c.MaxLetters > 0 && len(list) >= c.MaxLetters {
		if next := list[c.MaxLetters-1].OrderedAt.Add(c.LetterWindow); now.Before(next) {
			return LimitReached(next.Sub(now))
		}
	}
	return nil
}

// Order orders a letter to addr for the signed-in citizen's standard account, voiding the
// previous letter's code. It returns a validation_failed *flow.ValidationError for bad fields
// (named postcode, region, city, street, house, flat).
func (s *Service) Order(ctx context.Context, accountID string, addr Address, m Meta) (*Letter, error) {
	if err := addr.Normalize(); err != nil {
		return nil, err
	}
	var out *Letter
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.LockAccountLetters(ctx, accountID); err != nil {
			return err
		}
		acc, err := s.Accounts.GetAccount(ctx, accountID)
		if err != nil {
			return fmt.Errorf("load account: %w", err)
		}
		if acc.State != account.Active {
			return store.ErrNotFound
		}
		list, err := s.Store.AccountLetters(ctx, accountID, max(s.Config.MaxLetters, 1))
		if err != nil {
			return fmt.Errorf("load letters: %w", err)
		}
		now := s.now()
		if e := s.eligible(acc, list, now); e != nil {
			return e
		}
		for _, old := range list {
			if old.State.Live() {
				old.end(Void, now)
				if err := s.Store.UpdateLetter(ctx, old); err != nil {
					return err
				}
			}
		}
		l := &Letter{ID: s.newID(), AccountID: accountID, State: Ordered, Address: addr,
			Recipient: fullName(acc), OrderedAt: now}
		if err := s.Store.CreateLetter(ctx, l); err != nil {
			return err
		}
		out = l
		return s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: ActionOrdered, Actor: "self", IP: m.IP,
			Details: map[string]string{"letter_id": l.ID}})
	})
	if err != nil {
		return nil, fmt.Errorf("order letter: %w", err)
	}
	return out, nil
}

func fullName(a *account.Account) string {
	var parts []string
	for _, p := range []string{a.LastName, a.FirstName, a.MiddleName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}
