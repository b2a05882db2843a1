package recovery

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/ratelimit"
	"github.com/civis-id/civis/internal/store"
)

// StartInput is what a citizen gives to start recovering access.
type StartInput struct {
	Kind, Value string
	PoW         *pow.Solution
}

// Start opens a recovery flow for the identifier. It asks first for a solved proof of work
// (pow_required carries the challenge, harder with every recent recovery of the identifier);
// then, if the identifier belongs to an active account, it sends a code to
// the account's contacts. The answer is the same flow either way.
func (s *Service) Start(ctx context.Context, in StartInput, m flow.Meta) (*Recovery, error) {
	id, err := ParseIdentifier(in.Kind, in.Value)
	if err != nil {
		return nil, err
	}
	if err := s.checkPoW(ctx, id, in.PoW, m); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, s.Config.StartPerIP, "ip", m.IP); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, s.Config.StartPerTarget, "recovery", id.key()); err != nil {
		return nil, err
	}
	acc, err := s.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	r := &Recovery{ID: uuid.Must(uuid.NewV7()).String(), State: AwaitingCode, Kind: id.Kind,
		Locale: messages.Lang(m.Locale), CreatedAt: now, ExpiresAt: now.Add(s.Config.FlowTTL)}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if acc != nil {
			r.AccountID = acc.ID
			if err := s.sendCode(ctx, r, acc, m, true); err != nil {
				return err
			}
			if err := s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionStarted, Actor: "self",
				IP: m.IP, Details: map[string]string{"identifier": string(id.Kind)}}); err != nil {
				return err
			}
		}
		r.CodeSentAt, r.CodeExpiresAt = now, now.Add(s.Config.CodeTTL)
		return s.Store.CreateRecovery(ctx, r)
	})
	if err != nil {
		return nil, fmt.Errorf("start recovery: %w", err)
	}
	if s.PoW != nil {
		if err := s.PoW.Fail(ctx, PoWPurpose, id.key()); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Challenge issues a proof-of-work challenge for starting a recovery from the client of m, at
// the base difficulty: pages embed it in the form, so that the browser solves it while the
// citizen types. It is bound to the client's address, and used once.
func (s *Service) Challenge(ctx context.Context, m flow.Meta) (*pow.Challenge, error) {
	if s.PoW == nil {
		return nil, nil
	}
	c, err := s.PoW.ChallengeBits(PoWPurpose, powKey(m), s.PoW.Config.BaseBits)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// powKey binds recovery challenges to the client's address: a challenge is issued before the
// identifier is known (on the page), and each is used once anyway.
func powKey(m flow.Meta) string { return "ip:" + m.IP }

// checkPoW verifies the solution, or answers pow_required with a new challenge. The work asked
// is at least the base difficulty and grows with the recent recoveries of the identifier
// (counted whether or not it belongs to an account).
func (s *Service) checkPoW(ctx context.Context, id Identifier, sol *pow.Solution, m flow.Meta) error {
	if s.PoW == nil {
		return nil
	}
	bits := max(s.PoW.Config.BaseBits, s.PoW.Required(ctx, PoWPurpose, id.key()))
	if sol != nil {
		err := s.PoW.VerifyBits(ctx, PoWPurpose, powKey(m), bits, *sol)
		if err == nil {
			return nil
		}
		if !powRejected(err) {
			return err
		}
	}
	ch, err := s.PoW.ChallengeBits(PoWPurpose, powKey(m), bits)
	if err != nil {
		return err
	}
	return flow.PoWRequired(ch)
}

func powRejected(err error) bool {
	for _, e := range []error{pow.ErrMissing, pow.ErrInvalid, pow.ErrExpired, pow.ErrTooEasy, pow.ErrReplayed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// targets are the contacts that get the code: every confirmed contact, except that a confirmed
// account with a phone gets it on the phone only.
func targets(acc *account.Account) (code []account.Contact, told []account.Contact) {
	var all []account.Contact
	var phone *account.Contact
	for i, c := range acc.Contacts {
		if !c.Verified {
			continue
		}
		all = append(all, c)
		if c.Kind == account.Phone {
			phone = &acc.Contacts[i]
		}
	}
	if acc.Level == account.Confirmed && phone != nil {
		for _, c := range all {
			if c.Kind != account.Phone {
				told = append(told, c)
			}
		}
		return []account.Contact{*phone}, told
	}
	return all, nil
}

// sendCode queues a fresh code to the account's code contacts (and, when starting, the notice
// to the contacts that do not get it). A contact whose send limit is spent is skipped
// silently, so that the answer does not differ from an unknown identifier's.
func (s *Service) sendCode(ctx context.Context, r *Recovery, acc *account.Account, m flow.Meta, starting bool) error {
	code, err := credential.NewNumericCode(s.Config.CodeDigits)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	r.CodeHash, r.CodeExpiresAt, r.CodeAttempts = s.CodeKey.Hash(codeScope(r.ID), code), now.Add(s.Config.CodeTTL), 0
	to, told := targets(acc)
	data := map[string]any{"Code": code, "Minutes": strconv.Itoa(int(s.Config.CodeTTL.Minutes())), "Name": acc.FirstName}
	for _, c := range to {
		if err := s.limit(ctx, s.Config.SendPerTarget, string(c.Kind), c.Value); isRateLimited(err) {
			continue
		} else if err != nil {
			return err
		}
		if err := s.Outbox.Send(ctx, notice.Channel(c.Kind), c.Value, r.Locale, messages.RecoveryCode, data); err != nil {
			return err
		}
	}
	if !starting {
		return nil
	}
	info := map[string]any{"Name": acc.FirstName, "Centers": s.centers()}
	for _, c := range told {
		if err := s.Outbox.Send(ctx, notice.Channel(c.Kind), c.Value, acc.Locale, messages.RecoveryPhoneOnly, info); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) centers() string { return s.Config.SiteURL + s.Config.CentersURL }

func codeScope(flowID string) string { return "recovery:" + flowID }

// Resend sends a new code, voiding the previous one, once the cooldown has passed. For an
// unknown identifier nothing is sent, with the same answer.
func (s *Service) Resend(ctx context.Context, id string, m flow.Meta) (*Recovery, error) {
	return s.update(ctx, id, func(ctx context.Context, r *Recovery) (bool, error) {
		if r.State != AwaitingCode {
			return false, ErrWrongStep
		}
		if wait := r.CodeSentAt.Add(s.Config.ResendCooldown).Sub(s.Now()); wait > 0 {
			return false, flow.RateLimited(wait)
		}
		if err := s.limit(ctx, s.Config.SendPerIP, "ip", m.IP); err != nil {
			return false, err
		}
		now := s.Now().UTC()
		r.CodeSentAt, r.CodeExpiresAt, r.CodeAttempts = now, now.Add(s.Config.CodeTTL), 0
		if r.AccountID == "" {
			return true, nil
		}
		acc, err := s.activeAccount(ctx, r.AccountID)
		if err != nil || acc == nil {
			r.CodeHash = ""
			return true, err
		}
		return true, s.sendCode(ctx, r, acc, m, false)
	})
}

// activeAccount returns the flow's account, or nil when it is no longer active.
func (s *Service) activeAccount(ctx context.Context, id string) (*account.Account, error) {
	acc, err := s.Accounts.GetAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	if acc.State != account.Active {
		return nil, nil
	}
	return acc, nil
}

// limit counts one event under rule for the key (kept as a blind index); rate_limited past
// the limit.
func (s *Service) limit(ctx context.Context, rule ratelimit.Rule, kind, value string) error {
	if s.Limiter == nil || value == "" {
		return nil
	}
	d, err := s.Limiter.Hit(ctx, rule, s.Index.BlindIndex("rl:"+kind, value))
	if err != nil {
		return err
	}
	if !d.Allowed {
		return flow.RateLimited(d.RetryAfter)
	}
	return nil
}

func isRateLimited(err error) bool {
	var e *flow.Error
	return errors.As(err, &e) && e.Code == "rate_limited"
}
