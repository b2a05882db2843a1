package proofing

import (
	"context"
	"time"
)

// Store persists profiles, submissions and checks. Implementations seal personal data (the
// profile, the checks' requests) and keep a blind index of the verified SNILS that is unique
// across accounts. Every method joins the transaction in ctx, if any.
type Store interface {
	// GetProfile returns the account's profile, or store.ErrNotFound when it has none.
	GetProfile(ctx context.Context, accountID string) (*Profile, error)
	// UpdateProfile reads the account's profile (an empty one if it has none) under a row
	// lock, calls fn on it and writes the result, all in one transaction. An error from fn
	// is returned as is and nothing is written. It returns store.ErrConflict when the
	// verified SNILS belongs to another account.
	UpdateProfile(ctx context.Context, accountID string, fn func(*Profile) error) (*Profile, error)
	// VerifiedSNILSOwner returns the id of the account whose verified SNILS is snils (11
	// digits), or store.ErrNotFound.
	VerifiedSNILSOwner(ctx context.Context, snils string) (string, error)

	// CreateSubmission inserts s with its checks.
	CreateSubmission(ctx context.Context, s *Submission) error
	// GetSubmission returns a submission with its checks, or store.ErrNotFound.
	GetSubmission(ctx context.Context, id string) (*Submission, error)
	// ListSubmissions returns up to limit of the account's submissions with their checks,
	// newest first.
	ListSubmissions(ctx context.Context, accountID string, limit int) ([]*Submission, error)
	// GetCheck returns a check, or store.ErrNotFound.
	GetCheck(ctx context.Context, id string) (*Check, error)

	// FinishCheck records r on the check if it is still pending at attempt, and reports
	// whether it did: a false answer means another job already wrote the check.
	FinishCheck(ctx context.Context, id string, attempt int, r Result) (bool, error)
	// RescheduleCheck moves a check that is still pending at attempt to attempt+1, due at
	// next, and reports whether it did.
	RescheduleCheck(ctx context.Context, id string, attempt, calls int, next time.Time, lastErr string) (bool, error)
	// CheckDone counts one check of a checking submission as done and returns how many
	// remain; ok is false when the submission is no longer checking. Concurrent calls for
	// one submission are serialized.
	CheckDone(ctx context.Context, submissionID string) (remaining int, ok bool, err error)
	// FinishSubmission moves a checking submission to state, cancelling its pending checks,
	// and reports whether it did.
	FinishSubmission(ctx context.Context, id string, state SubmissionState, reason string, at time.Time) (bool, error)
}
