package registry

import (
	"context"
	"errors"
	"time"
)

// Person is what a check is about: normalized names and the birth date as
// time.Time at UTC midnight.
type Person struct {
	LastName, FirstName, MiddleName string
	BirthDate                       time.Time
	Gender                          string // "M" or "F" ("" when unknown)
}

// Outcome is a registry's final answer to a check.
type Outcome string

// The outcomes of a check.
const (
	Verified    Outcome = "verified"     // the registry confirms the data
	NotVerified Outcome = "not_verified" // the registry answered: no match (final)
)

// Reasons carried by [Result.Reason] when the outcome is [NotVerified].
const (
	ReasonNotFound          = "not_found"           // the registry knows no such identifier (or person)
	ReasonNameMismatch      = "name_mismatch"       // found, but the names differ
	ReasonBirthDateMismatch = "birth_date_mismatch" // found, but the birth date differs
	ReasonDocumentInvalid   = "document_invalid"    // the document is lost, expired or replaced
	ReasonDocumentMismatch  = "document_mismatch"   // found, but issue data differ
)

// Result is the answer to one check. Reason is a stable code for
// [NotVerified] (one of the Reason constants). INN is set by the INN check
// only: the INN the tax registry holds for the person, which may fill an
// empty one.
type Result struct {
	Outcome Outcome
	Reason  string
	INN     string
}

// ErrUnavailable (wrapped) means the registry did not answer usably
// (timeout, 5xx, outage): retry later.
var ErrUnavailable = errors.New("registry unavailable")

// ErrRejected (wrapped) means the request can never succeed as sent (a
// malformed value, a refused credential, any 4xx other than 408, 409, 425 and
// 429): do not retry.
var ErrRejected = errors.New("registry rejected the request")

// SNILSChecker checks a SNILS (11 digits, any separators) against the
// pension fund.
type SNILSChecker interface {
	CheckSNILS(ctx context.Context, p Person, snils string) (Result, error)
}

// DocumentChecker checks an identity document against the interior
// ministry.
type DocumentChecker interface {
	CheckDocument(ctx context.Context, p Person, d Document) (Result, error)
}

// INNChecker checks an INN against the tax service; an empty inn asks the
// registry for the person's INN, returned in [Result.INN].
type INNChecker interface {
	CheckINN(ctx context.Context, p Person, inn string) (Result, error)
}

// Registries bundles the checkers; the Name constants are their metric and
// circuit-breaker labels.
type Registries struct {
	SNILS    SNILSChecker
	Document DocumentChecker
	INN      INNChecker
}

// Registry names, used as labels and in error texts.
const (
	NameSNILS    = "pension_fund"
	NameDocument = "interior_ministry"
	NameINN      = "tax_service"
)
