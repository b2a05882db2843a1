package operator

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
)

// lookup is a validated Query: one kind and its normalized value.
type lookup struct{ kind, value string }

// parseQuery checks that q names exactly one identifier and normalizes it.
func parseQuery(q Query) (lookup, error) {
	var f fields
	var out []lookup
	if strings.TrimSpace(q.SNILS) != "" {
		out = append(out, lookup{BySNILS, normIdent(&f, "snils", q.SNILS, ident.NormalizeSNILS)})
	}
	if strings.TrimSpace(q.PassportSeries+q.PassportNumber) != "" {
		series, number := passportDigits(q.PassportSeries), passportDigits(q.PassportNumber)
		if len(series) != 4 || strings.Contains(series, "x") {
			f.add("passport_series", "series_invalid", "the series is 4 digits")
		}
		if len(number) != 6 || strings.Contains(number, "x") {
			f.add("passport_number", "number_invalid", "the number is 6 digits")
		}
		out = append(out, lookup{ByPassport, series + number})
	}
	if strings.TrimSpace(q.Phone) != "" {
		out = append(out, lookup{ByPhone, normIdent(&f, "phone", q.Phone, ident.NormalizePhone)})
	}
	if strings.TrimSpace(q.Email) != "" {
		out = append(out, lookup{ByEmail, normIdent(&f, "email", q.Email, ident.NormalizeEmail)})
	}
	switch {
	case len(out) == 0:
		f.add("snils", "required", "give one of: SNILS, passport series and number, phone, email")
	case len(out) > 1:
		f.add("snils", "one_identifier", "give exactly one of: SNILS, passport series and number, phone, email")
	}
	if err := f.err(); err != nil {
		return lookup{}, err
	}
	return out[0], nil
}

// find returns the state of the account the identifier designates (acc nil: none).
func (s *Service) find(ctx context.Context, l lookup) (*state, error) {
	ids, err := s.Store.FindAccounts(ctx, l.kind, l.value)
	if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	if len(ids) == 0 {
		return &state{}, nil
	}
	return s.load(ctx, ids[0])
}

// load returns the state of the account with the id (acc nil: none).
func (s *Service) load(ctx context.Context, id string) (*state, error) {
	acc, err := s.Accounts.GetAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return &state{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	prof, sub, err := s.Profiles.Profile(ctx, id)
	if err != nil {
		return nil, err
	}
	return &state{acc: acc, deleted: acc.State != account.Active, prof: prof, sub: sub}, nil
}

// Find looks an account up by one exact identifier for the operator, who must state a
// reason. The search is audited on the operator's chain and, when an account is found, on the
// citizen's chain, so that the citizen sees who looked. Searches are rate-limited per
// operator and per client at the center (Limits): past a limit, flow's rate_limited error
// with the time to wait.
func (s *Service) Find(ctx context.Context, a Actor, q Query) (*Found, error) {
	if err := s.authorize(ctx, a); err != nil {
		return nil, err
	}
	a.Reason = strings.TrimSpace(a.Reason)
	if a.Reason == "" {
		var f fields
		f.add("reason", "reason_required", "state why you look the citizen up")
		return nil, f.err()
	}
	if len([]rune(a.Reason)) > 200 {
		var f fields
		f.add("reason", "too_long", "at most 200 characters")
		return nil, f.err()
	}
	st, _, err := s.search(ctx, a, q, "find")
	if err != nil {
		return nil, err
	}
	return s.found(ctx, st)
}

// Exists answers whether an account exists and its level, with no other data. It is audited
// and rate-limited like Find (the reason is optional).
func (s *Service) Exists(ctx context.Context, a Actor, q Query) (bool, account.Level, error) {
	if err := s.authorize(ctx, a); err != nil {
		return false, "", err
	}
	st, _, err := s.search(ctx, a, q, "exists")
	if err != nil || st.acc == nil || st.deleted {
		return false, "", err
	}
	return true, st.acc.Level, nil
}

// search finds the account and audits the search in one transaction, once the search is
// counted against the limits per operator and per client at the center (past them, flow's
// rate_limited error).
func (s *Service) search(ctx context.Context, a Actor, q Query, mode string) (*state, lookup, error) {
	l, err := parseQuery(q)
	if err != nil {
		return nil, l, err
	}
	if err := s.limitSearch(ctx, a); err != nil {
		return nil, l, err
	}
	var st *state
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if st, err = s.find(ctx, l); err != nil {
			return err
		}
		d := s.details(ctx, a, "")
		d["by"], d["mode"], d["found"] = l.kind, mode, strconv.FormatBool(st.acc != nil)
		citizen := ""
		if st.acc != nil {
			citizen = st.acc.ID
		}
		return s.record(ctx, a, ActionSearch, citizen, d)
	})
	if err != nil {
		return nil, l, fmt.Errorf("search: %w", err)
	}
	return st, l, nil
}

// found is the answer of Find: what the operator needs to decide, nothing more.
func (s *Service) found(ctx context.Context, st *state) (*Found, error) {
	adv, msg := st.advise()
	out := &Found{Advice: adv, Message: msg}
	if st.acc == nil {
		return out, nil
	}
	out.Exists, out.AccountID, out.Level, out.Deleted = true, st.acc.ID, st.acc.Level, st.deleted
	out.ConfirmationMethod = st.acc.ConfirmationMethod
	n, err := s.Store.OpenRequests(ctx, st.acc.ID)
	if err != nil {
		return nil, err
	}
	out.OpenRequests = n
	out.Checks = checks(st.sub)
	out.Person = person(st.acc, st.prof)
	return out, nil
}

func checks(sub *proofing.Submission) []Check {
	if sub == nil {
		return nil
	}
	var out []Check
	for _, c := range sub.Checks {
		st := "pending"
		switch c.State {
		case proofing.CheckVerified, proofing.CheckSkipped:
			st = "passed"
		case proofing.CheckFailed:
			st = "failed"
		case proofing.CheckCancelled:
			st = "cancelled"
		}
		out = append(out, Check{Registry: c.Registry, State: st, Reason: proofing.ReasonMessage(c.Reason)})
	}
	return out
}

// person is the data the operator compares with the passport in hand: the verified versions,
// or the pending ones while they are checked.
func person(acc *account.Account, p *proofing.Profile) *Person {
	out := &Person{LastName: acc.LastName, FirstName: acc.FirstName, MiddleName: acc.MiddleName}
	if c, ok := acc.Contact(account.Phone); ok {
		out.Phone = ident.MaskPhone(c.Value)
	}
	if c, ok := acc.Contact(account.Email); ok {
		out.Email = ident.MaskEmail(c.Value)
	}
	if p == nil {
		return out
	}
	if per := preferVerified(&p.Personal); per != nil {
		out.LastName, out.FirstName, out.MiddleName = per.LastName, per.FirstName, per.MiddleName
		out.BirthDate, out.BirthPlace, out.Gender = string(per.BirthDate), per.BirthPlace, per.Gender
	}
	if sn := preferVerified(&p.SNILS); sn != nil {
		out.SNILS = ident.FormatSNILS(*sn)
	}
	if d := preferVerified(&p.IDDoc); d != nil {
		out.Passport = Passport{Series: d.Series, Number: d.Number, IssueDate: string(d.IssueDate),
			Issuer: d.Issuer, DepartmentCode: d.DepartmentCode}
	}
	return out
}

func preferVerified[T comparable](v *proofing.Versioned[T]) *T {
	if v.Verified != nil {
		return v.Verified
	}
	return v.Pending
}
