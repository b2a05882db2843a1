package recovery

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/store"
)

// Kind is a kind of identifier recovery accepts.
type Kind string

// Identifier kinds. Phone and email are contacts; the others are documents.
const (
	Phone    Kind = "phone"
	Email    Kind = "email"
	SNILS    Kind = "snils"
	Passport Kind = "passport" // a Russian passport: 4-digit series and 6-digit number
	INN      Kind = "inn"
)

// Kinds lists the kinds in the order pages offer them.
var Kinds = []Kind{Phone, Email, SNILS, Passport, INN}

// Document reports whether k is a document (not a contact).
func (k Kind) Document() bool { return k == SNILS || k == Passport || k == INN }

// Identifier is a normalised identifier: E.164 phone, lower-case email, 11 SNILS digits, 10
// passport digits (series then number), 12 INN digits.
type Identifier struct {
	Kind  Kind
	Value string
}

// key is the identifier as rate-limit and proof-of-work keys name it.
func (id Identifier) key() string { return string(id.Kind) + ":" + id.Value }

// ParseIdentifier validates and normalises what the citizen typed as kind. Field errors name
// "kind" and "value".
func ParseIdentifier(kind, value string) (Identifier, error) {
	value = strings.TrimSpace(value)
	fail := func(field, code, msg string) (Identifier, error) {
		return Identifier{}, &flow.ValidationError{Code: "validation_failed",
			Fields: []flow.FieldError{{Field: field, Code: code, Message: msg}}}
	}
	if len(value) > 320 {
		return fail("value", "too_long", "too long")
	}
	var norm func(string) (string, error)
	switch Kind(kind) {
	case Phone:
		norm = ident.NormalizePhone
	case Email:
		norm = ident.NormalizeEmail
	case SNILS:
		norm = ident.NormalizeSNILS
	case INN:
		norm = normalizeINN
	case Passport:
		norm = normalizePassport
	default:
		return fail("kind", "invalid_choice", "kind must be phone, email, snils, passport or inn")
	}
	v, err := norm(value)
	if err != nil {
		code := "invalid"
		var ie *ident.Error
		if errors.As(err, &ie) {
			code = ie.Code
		}
		msg := err.Error()
		if code == codePassportInvalid {
			msg = "a passport series and number are 10 digits"
		}
		return fail("value", code, msg)
	}
	return Identifier{Kind: Kind(kind), Value: v}, nil
}

// codePassportInvalid is the field code of a passport series and number that are not 10
// digits.
const codePassportInvalid = "passport_invalid"

// normalizePassport keeps the 10 digits of a Russian passport's series and number written
// with any spaces or the "№" sign ("45 10 123456", "4510 №123456").
func normalizePassport(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '№' || r == '\u00a0':
		default:
			return "", &ident.Error{Code: codePassportInvalid}
		}
	}
	if b.Len() != 10 {
		if b.Len() == 0 {
			return "", &ident.Error{Code: ident.CodeRequired}
		}
		return "", &ident.Error{Code: codePassportInvalid}
	}
	return b.String(), nil
}

// normalizeINN accepts a citizen's (12-digit) INN only.
func normalizeINN(s string) (string, error) {
	v, err := ident.NormalizeINN(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return "", err
	}
	if len(v) != 12 {
		return "", &ident.Error{Code: ident.CodeINNInvalid}
	}
	return v, nil
}

// lookup returns the active account the identifier belongs to, or nil.
func (s *Service) lookup(ctx context.Context, id Identifier) (*account.Account, error) {
	var acc *account.Account
	var err error
	switch id.Kind {
	case Phone, Email:
		acc, err = s.Accounts.FindByContact(ctx, account.ContactKind(id.Kind), id.Value)
	case SNILS:
		acc, err = s.Accounts.FindBySNILS(ctx, id.Value)
	case Passport:
		acc, err = s.Store.FindByPassport(ctx, id.Value[:4], id.Value[4:])
	case INN:
		acc, err = s.Store.FindByINN(ctx, id.Value)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find account by %s: %w", id.Kind, err)
	}
	if acc.State != account.Active {
		return nil, nil
	}
	return acc, nil
}

// documents returns the account's verified documents that recovery accepts, by kind.
func (s *Service) documents(ctx context.Context, accountID string) (map[Kind]string, error) {
	out := map[Kind]string{}
	if s.Profiles == nil {
		return out, nil
	}
	p, err := s.Profiles.GetProfile(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	if v := p.SNILS.Verified; v != nil {
		out[SNILS] = *v
	}
	if d := p.IDDoc.Verified; d != nil && d.Type == proofing.RFPassport {
		out[Passport] = d.Series + d.Number
	}
	if v := p.INN.Verified; v != nil && len(*v) == 12 {
		out[INN] = *v
	}
	return out, nil
}
