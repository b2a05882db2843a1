package registry

import (
	"context"

	"github.com/civis-id/civis/internal/ident"
)

// CheckSNILS plays the pension fund: the SNILS must belong to a person with
// the same names and birth date.
func (s *Simulator) CheckSNILS(ctx context.Context, p Person, snils string) (Result, error) {
	if err := checkPerson(p); err != nil {
		return Result{}, rejected(NameSNILS, err)
	}
	n, err := ident.NormalizeSNILS(snils)
	if err != nil {
		return Result{}, rejected(NameSNILS, err)
	}
	if err := s.answer(ctx, NameSNILS); err != nil {
		return Result{}, err
	}
	r, ok := s.data.bySNILS[n]
	if !ok {
		return s.unknown(Result{}), nil
	}
	return matchPerson(r, p), nil
}

// CheckDocument plays the interior ministry: the document must belong to a
// person with the same names and birth date, be valid and, for an RF
// passport, have the same issue date and division code.
func (s *Simulator) CheckDocument(ctx context.Context, p Person, d Document) (Result, error) {
	if err := checkPerson(p); err != nil {
		return Result{}, rejected(NameDocument, err)
	}
	d, err := ParseDocument(d)
	if err != nil {
		return Result{}, rejected(NameDocument, err)
	}
	if err := s.answer(ctx, NameDocument); err != nil {
		return Result{}, err
	}
	r, known, ok := s.data.document(d)
	if !ok {
		return s.unknown(Result{}), nil
	}
	if res := matchPerson(r, p); res.Outcome != Verified {
		return res, nil
	}
	switch {
	case !known.valid:
		return notVerified(ReasonDocumentInvalid), nil
	case !sameDate(known.IssueDate, d.IssueDate):
		return notVerified(ReasonDocumentMismatch), nil
	case known.DivisionCode != "" && d.DivisionCode != "" && known.DivisionCode != d.DivisionCode:
		return notVerified(ReasonDocumentMismatch), nil
	}
	return Result{Outcome: Verified}, nil
}

// CheckINN plays the tax service. With an INN, it must belong to a person
// with the same names and birth date; without one, the only person with
// those names and birth date must have an INN, which is returned.
func (s *Simulator) CheckINN(ctx context.Context, p Person, inn string) (Result, error) {
	if err := checkPerson(p); err != nil {
		return Result{}, rejected(NameINN, err)
	}
	n, err := normalizePersonINN(inn)
	if err != nil {
		return Result{}, rejected(NameINN, err)
	}
	if err := s.answer(ctx, NameINN); err != nil {
		return Result{}, err
	}
	if n != "" {
		return s.checkINN(p, n), nil
	}
	return s.findINN(p), nil
}

// checkINN looks up a given INN.
func (s *Simulator) checkINN(p Person, inn string) Result {
	r, ok := s.data.byINN[inn]
	if !ok {
		return s.unknown(Result{Outcome: Verified, INN: inn})
	}
	res := matchPerson(r, p)
	if res.Outcome == Verified {
		res.INN = r.inn
	}
	return res
}

// findINN looks up the INN of a person. In permissive mode a person without
// one gets a made-up INN.
func (s *Simulator) findINN(p Person) Result {
	r, ok := s.data.person(p)
	if ok && r.inn != "" {
		return Result{Outcome: Verified, INN: r.inn}
	}
	if !s.cfg.Permissive {
		return notVerified(ReasonNotFound)
	}
	if ok && r.snils != "" {
		return Result{Outcome: Verified, INN: madeUpINN(r.snils)}
	}
	return Result{Outcome: Verified, INN: madeUpINN(personDigits(p))}
}

// unknown answers for a value the data file does not hold: not_found, or
// in permissive mode the verified result v.
func (s *Simulator) unknown(v Result) Result {
	if s.cfg.Permissive {
		v.Outcome = Verified
		return v
	}
	return notVerified(ReasonNotFound)
}

// matchPerson compares what a registry holds with the person asked about:
// names first, then the birth date. Gender is not compared.
func matchPerson(r *record, p Person) Result {
	if !sameNames(r.Person, p) {
		return notVerified(ReasonNameMismatch)
	}
	if !sameDate(r.BirthDate, p.BirthDate) {
		return notVerified(ReasonBirthDateMismatch)
	}
	return Result{Outcome: Verified}
}

func notVerified(reason string) Result {
	return Result{Outcome: NotVerified, Reason: reason}
}
