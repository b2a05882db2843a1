package proofing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/civis-id/civis/internal/registry"
	"github.com/civis-id/civis/internal/store"
)

// JobKind is the job kind that runs one registry check.
const JobKind = "registry.check"

// jobPayload names the check and the attempt token the job may write it with.
type jobPayload struct {
	Check    string `json:"check"`
	Attempt  int    `json:"attempt"`
	Registry string `json:"registry"`
}

// Submit starts the registry checks of every pending change: one check and one job per
// registry concerned, created in one transaction with the lock of the checked items. It
// refuses with check_in_progress, nothing_to_check, validation_failed (data missing or
// inconsistent) or snils_taken (the SNILS is verified on another account, whose owner is
// warned).
func (s *Service) Submit(ctx context.Context, accountID string, m Meta) (*Submission, error) {
	if !s.Configured() {
		return nil, ErrUnavailable
	}
	now := s.now()
	prof, err := s.loadProfile(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := ready(prof, now); err != nil {
		return nil, err
	}
	if err := s.checkSNILSFree(ctx, prof); err != nil {
		return nil, err
	}
	var sub *Submission
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		_, err := s.Store.UpdateProfile(ctx, accountID, func(p *Profile) error {
			if err := ready(p, now); err != nil {
				return err
			}
			sub = s.newSubmission(p, now)
			p.Submission = sub.ID
			p.Personal.Failure, p.SNILS.Failure, p.IDDoc.Failure, p.INN.Failure = nil, nil, nil, nil
			return nil
		})
		if err != nil {
			return err
		}
		return s.startChecks(ctx, sub, m)
	})
	if err != nil {
		return nil, wrap("submit profile", err)
	}
	if s.OnEnqueue != nil {
		s.OnEnqueue()
	}
	return sub, nil
}

func (s *Service) startChecks(ctx context.Context, sub *Submission, m Meta) error {
	if err := s.Store.CreateSubmission(ctx, sub); err != nil {
		return err
	}
	regs := ""
	for _, c := range sub.Checks {
		if err := s.enqueue(ctx, c.ID, c.Attempt, c.Registry, c.NextAt); err != nil {
			return err
		}
		regs += "," + c.Registry
	}
	return s.record(ctx, sub.AccountID, ActionSubmitted, m.actor(), m.IP,
		map[string]string{"submission_id": sub.ID, "registries": regs[1:]})
}

func (s *Service) enqueue(ctx context.Context, checkID string, attempt int, reg string, at time.Time) error {
	payload, err := json.Marshal(jobPayload{Check: checkID, Attempt: attempt, Registry: reg})
	if err != nil {
		return err
	}
	return s.Queue.EnqueueAt(ctx, JobKind, payload, at)
}

// ready checks that the profile can be submitted.
func ready(p *Profile, now time.Time) error {
	switch {
	case p.Checking():
		return ErrCheckInProgress
	case !p.Pending():
		return ErrNothingToCheck
	}
	return complete(p, now)
}

// complete checks that the data for the standard level are all there and agree.
func complete(p *Profile, now time.Time) error {
	var f fields
	per, doc := p.Personal.Current(), p.IDDoc.Current()
	if per == nil {
		f.add("personal", "required", "enter the personal data: name, gender, birth date and place, citizenship")
	}
	if p.SNILS.Current() == nil {
		f.add("snils", "required", "enter the SNILS")
	}
	if doc == nil {
		f.add("id_doc", "required", "enter the identity document")
	}
	if per != nil && doc != nil && (p.Personal.Pending != nil || p.IDDoc.Pending != nil) {
		agree(&f, per, doc, now)
	}
	return f.err("validation_failed")
}

// agree checks the identity document against the personal data.
func agree(f *fields, per *Personal, doc *IDDocument, now time.Time) {
	switch {
	case per.Citizenship == "RUS" && doc.Type != RFPassport:
		f.add("id_doc.type", "document_type_mismatch", "a Russian citizen proves identity with a Russian passport")
	case per.Citizenship != "RUS" && doc.Type == RFPassport:
		f.add("id_doc.type", "document_type_mismatch", "a Russian passport belongs to a citizen of Russia (citizenship RUS)")
	}
	birth, ok1 := per.BirthDate.Time()
	issued, ok2 := doc.IssueDate.Time()
	if !ok1 || !ok2 {
		return
	}
	switch {
	case issued.Before(birth):
		f.add("id_doc.issue_date", "issued_before_birth", "the document was issued before the birth date")
	case doc.Type == RFPassport && issued.Before(birth.AddDate(minAge, 0, 0)):
		f.add("id_doc.issue_date", "issued_before_14", "a Russian passport is issued from the age of 14")
	case doc.Type == RFPassport && passportOutgrown(birth, issued, now):
		f.add("id_doc.issue_date", "document_expired", "a passport must be replaced at the ages of 20 and 45")
	}
	if exp, ok := doc.ExpiryDate.Time(); ok && exp.Before(now.Truncate(24*time.Hour)) {
		f.add("id_doc.expiry_date", "document_expired", "the document has expired")
	}
}

// passportOutgrown reports whether a Russian passport issued before the age of 20 or 45 is
// more than 90 days past that birthday (DOMAIN.md, section 3).
func passportOutgrown(birth, issued, now time.Time) bool {
	for _, age := range []int{20, 45} {
		at := birth.AddDate(age, 0, 0)
		if issued.Before(at) && now.After(at.AddDate(0, 0, 90)) {
			return true
		}
	}
	return false
}

// registries lists the registries that must check the profile's pending changes.
func registries(p *Profile) []string {
	personal := p.Personal.Pending != nil
	var out []string
	if personal || p.SNILS.Pending != nil {
		out = append(out, registry.NameSNILS)
	}
	if personal || p.IDDoc.Pending != nil {
		out = append(out, registry.NameDocument)
	}
	// The tax service checks a new INN, re-checks a verified one against new personal data,
	// and, when there is none, is asked for it.
	if p.INN.Pending != nil || (personal && p.INN.Verified != nil) || (p.INN.Current() == nil && len(out) > 0) {
		out = append(out, registry.NameINN)
	}
	return out
}

func (s *Service) newSubmission(p *Profile, now time.Time) *Submission {
	sub := &Submission{ID: newID(), AccountID: p.AccountID, State: SubmissionChecking,
		CreatedAt: now, DeadlineAt: now.Add(s.Config.Deadline)}
	person := *p.Personal.Current()
	for _, reg := range registries(p) {
		req := Request{Person: person}
		switch reg {
		case registry.NameSNILS:
			req.SNILS = *p.SNILS.Current()
		case registry.NameDocument:
			d := *p.IDDoc.Current()
			req.Document = &d
		case registry.NameINN:
			if inn := p.INN.Current(); inn != nil {
				req.INN = *inn
			}
		}
		sub.Checks = append(sub.Checks, &Check{ID: newID(), SubmissionID: sub.ID, AccountID: p.AccountID,
			Registry: reg, State: CheckPending, Request: req, Attempt: 1,
			CreatedAt: now, DeadlineAt: sub.DeadlineAt, NextAt: now})
	}
	sub.Pending = len(sub.Checks)
	return sub
}

// checkSNILSFree refuses a pending SNILS that is verified on another account and warns that
// account's owner (at most once per NoticeInterval for this account and SNILS).
func (s *Service) checkSNILSFree(ctx context.Context, p *Profile) error {
	if p.SNILS.Pending == nil {
		return nil
	}
	snils := *p.SNILS.Pending
	owner, err := s.Store.VerifiedSNILSOwner(ctx, snils)
	if errors.Is(err, store.ErrNotFound) || (err == nil && owner == p.AccountID) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look up SNILS owner: %w", err)
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		return s.warnOwner(ctx, p.AccountID, owner, snils)
	})
	if err != nil {
		return fmt.Errorf("warn SNILS owner: %w", err)
	}
	return ErrSNILSTaken
}

// warnOwner tells the verified owner of snils that another account tried to claim it.
func (s *Service) warnOwner(ctx context.Context, claimant, owner, snils string) error {
	now, send := s.now(), false
	_, err := s.Store.UpdateProfile(ctx, claimant, func(p *Profile) error {
		n := p.TakenNotice
		send = n == nil || n.SNILS != snils || now.Sub(n.At) >= s.Config.NoticeInterval
		if send {
			p.TakenNotice = &Notice{SNILS: snils, At: now}
		}
		return nil
	})
	if err != nil || !send {
		return err
	}
	if err := s.record(ctx, owner, ActionSNILSClaim, "system", "", nil); err != nil {
		return err
	}
	return s.tell(ctx, owner, tplSNILSTaken, map[string]any{})
}
