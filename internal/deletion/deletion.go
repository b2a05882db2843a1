package deletion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/jobs"
	"github.com/civis-id/civis/internal/messages"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// JobKind is the job that erases a deleted account's personal data.
const JobKind = "account.erase"

// Audit actions recorded by the Service.
const (
	ActionDeleted  = "account.deleted"
	ActionRestored = "account.restored"
	ActionErased   = "account.erased"
)

// DefaultRetention is how long a deleted account can be restored before its data are erased.
const DefaultRetention = 30 * 24 * time.Hour

// Errors of Restore.
var (
	ErrNotDeleted = errors.New("account is not deleted")
	ErrErased     = errors.New("account data are already erased")
)

// Store changes an account's lifecycle.
type Store interface {
	// MarkDeleted moves an active account to deleted at at, and reports whether it did.
	MarkDeleted(ctx context.Context, accountID string, at time.Time) (bool, error)
	// RestoreAccount moves a deleted, not yet erased account back to active, and reports
	// whether it did.
	RestoreAccount(ctx context.Context, accountID string, at time.Time) (bool, error)
	// DeletionTimes returns when the account was deleted and erased (zero: not).
	DeletionTimes(ctx context.Context, accountID string) (deletedAt, erasedAt time.Time, err error)
	// EraseAccount erases the personal data of the account if it is still the deletion of
	// deletedAt (not restored, not deleted again): names, contacts, password, profile and
	// proofing requests, secret question, notification settings, sessions, tokens and
	// consents. It reports whether it did.
	EraseAccount(ctx context.Context, accountID string, deletedAt, at time.Time) (bool, error)
	// DeleteAccountConsents removes every consent the account gave.
	DeleteAccountConsents(ctx context.Context, accountID string) error
	// OverdueDeletions returns up to limit deleted accounts whose data are not erased and
	// that were deleted before cutoff.
	OverdueDeletions(ctx context.Context, cutoff time.Time, limit int) ([]Deleted, error)
}

// Deleted is a deleted account whose data are still there.
type Deleted struct {
	AccountID string
	DeletedAt time.Time
}

// Grants ends the account's tokens at relying parties.
type Grants interface {
	RevokeAccountGrants(ctx context.Context, accountID string) error
}

// SecondFactors removes an account's second factors (mfa.Service does).
type SecondFactors interface {
	Reset(ctx context.Context, accountID string, actor ...string) error
}

// Reauthenticator checks the password of a signed-in citizen again (flow.Service does).
type Reauthenticator interface {
	Reauthenticate(ctx context.Context, sess *session.Session, password string, sol *pow.Solution, m flow.Meta) error
}

// Service deletes, restores and erases accounts.
type Service struct {
	Tx            store.Transactor
	Store         Store
	Accounts      account.Store
	Sessions      *session.Service
	Grants        Grants
	SecondFactors SecondFactors // nil: no second factors to erase
	Reauth        Reauthenticator
	Queue         *jobs.Queue
	Notices       *notice.Notifier
	Audit         *audit.Recorder
	Retention     time.Duration
	SiteURL       string
	CentersURL    string // the page listing the service centers, relative to SiteURL
	Now           func() time.Time
}

type erasePayload struct {
	AccountID string `json:"account_id"`
	DeletedAt int64  `json:"deleted_at"` // Unix microseconds: which deletion the job erases
}

// Delete deletes sess's account after checking its password again, and returns when its
// personal data will be erased. Field errors name "password".
func (s *Service) Delete(ctx context.Context, sess *session.Session, password string, sol *pow.Solution, m flow.Meta) (time.Time, error) {
	if err := s.Reauth.Reauthenticate(ctx, sess, password, sol, m); err != nil {
		return time.Time{}, err
	}
	return s.delete(ctx, sess.AccountID, "self", m.IP, nil)
}

// DeleteFor deletes an account for someone other than its owner, without Delete's password
// check: a service center removing a duplicate account (actor "operator:<id>", details such
// as the center and request id for the audit log). It joins the transaction in ctx; the
// retention and the erasure are Delete's.
func (s *Service) DeleteFor(ctx context.Context, accountID, actor string, details map[string]string) (time.Time, error) {
	return s.delete(ctx, accountID, actor, "", details)
}

func (s *Service) delete(ctx context.Context, accountID, actor, ip string, details map[string]string) (time.Time, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	eraseAt := now.Add(s.Retention)
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		acc, err := s.Accounts.GetAccount(ctx, accountID)
		if err != nil {
			return fmt.Errorf("load account: %w", err)
		}
		if ok, err := s.Store.MarkDeleted(ctx, acc.ID, now); err != nil || !ok {
			return errors.Join(err, store.ErrNotFound)
		}
		if err := s.endEverything(ctx, acc.ID); err != nil {
			return err
		}
		payload, _ := json.Marshal(erasePayload{AccountID: acc.ID, DeletedAt: now.UnixMicro()})
		if err := s.Queue.EnqueueAt(ctx, JobKind, payload, eraseAt); err != nil {
			return err
		}
		d := map[string]string{"erase_after": eraseAt.Format(time.RFC3339)}
		for k, v := range details {
			d[k] = v
		}
		if err := s.Audit.Record(ctx, audit.Event{AccountID: acc.ID, Action: ActionDeleted, Actor: actor, IP: ip,
			Details: d}); err != nil {
			return err
		}
		return s.Notices.TellAll(ctx, acc, messages.AccountDeleted, map[string]any{"Name": acc.FirstName,
			"Until": eraseAt.Format("02.01.2006"), "Centers": s.SiteURL + s.CentersURL})
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("delete account: %w", err)
	}
	return eraseAt, nil
}

// endEverything ends the account's sessions (with back-channel logout), tokens and consents.
func (s *Service) endEverything(ctx context.Context, accountID string) error {
	if _, err := s.Sessions.RevokeAll(ctx, accountID, ""); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	if err := s.Grants.RevokeAccountGrants(ctx, accountID); err != nil {
		return fmt.Errorf("revoke tokens: %w", err)
	}
	if err := s.Store.DeleteAccountConsents(ctx, accountID); err != nil {
		return fmt.Errorf("delete consents: %w", err)
	}
	return nil
}

// Restore makes a deleted account active again before its data are erased (a service center
// does it after checking the citizen's passport; actor is "operator:<id>"). The pending
// erasure job then finds the account restored and does nothing. The citizen signs in with the
// old password, or recovers access.
func (s *Service) Restore(ctx context.Context, accountID, actor string) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.Store.RestoreAccount(ctx, accountID, s.Now().UTC())
		if err != nil {
			return fmt.Errorf("restore account: %w", err)
		}
		if !ok {
			return s.whyNotRestored(ctx, accountID)
		}
		if err := s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: ActionRestored, Actor: actor}); err != nil {
			return err
		}
		acc, err := s.Accounts.GetAccount(ctx, accountID)
		if err != nil {
			return fmt.Errorf("load account: %w", err)
		}
		return s.Notices.TellAll(ctx, acc, messages.AccountRestored, map[string]any{"Name": acc.FirstName, "Site": s.SiteURL})
	})
}

func (s *Service) whyNotRestored(ctx context.Context, accountID string) error {
	deleted, erased, err := s.DeletionTimes(ctx, accountID)
	switch {
	case err != nil:
		return err
	case !erased.IsZero():
		return ErrErased
	case deleted.IsZero():
		return ErrNotDeleted
	}
	return fmt.Errorf("restore account: %w", store.ErrConflict)
}

// DeletionTimes returns when the account was deleted and when its data were erased (zero
// times: not).
func (s *Service) DeletionTimes(ctx context.Context, accountID string) (deletedAt, erasedAt time.Time, err error) {
	return s.Store.DeletionTimes(ctx, accountID)
}

// Handle is the erasure job.
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p erasePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.AccountID == "" {
		return jobs.Permanent(fmt.Errorf("decode erasure: %w", errors.Join(err, errors.New("no account"))))
	}
	return s.Erase(ctx, p.AccountID, time.UnixMicro(p.DeletedAt).UTC())
}

// Erase erases the personal data of the account deleted at deletedAt; an account restored
// (or deleted again later) since is left alone.
func (s *Service) Erase(ctx context.Context, accountID string, deletedAt time.Time) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.Store.EraseAccount(ctx, accountID, deletedAt, s.Now().UTC())
		if err != nil || !ok {
			return err
		}
		if s.SecondFactors != nil {
			if err := s.SecondFactors.Reset(ctx, accountID, "system"); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, audit.Event{AccountID: accountID, Action: ActionErased, Actor: "system"})
	})
}

// EraseDue erases up to limit accounts whose retention period ended and whose erasure job
// did not run (it gave up, or the retention was shortened since): the cleanup's safety net.
// It returns how many it looked at.
func (s *Service) EraseDue(ctx context.Context, limit int) (int, error) {
	due, err := s.Store.OverdueDeletions(ctx, s.Now().UTC().Add(-s.Retention), limit)
	if err != nil {
		return 0, err
	}
	for _, d := range due {
		if err := s.Erase(ctx, d.AccountID, d.DeletedAt); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}
