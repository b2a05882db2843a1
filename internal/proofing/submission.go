package proofing

import (
	"fmt"
	"slices"
	"time"
)

// SubmissionState is the state of one submission for verification.
type SubmissionState string

// Submission states.
const (
	SubmissionChecking SubmissionState = "checking"
	SubmissionVerified SubmissionState = "verified"
	SubmissionFailed   SubmissionState = "failed"
)

// CheckState is the state of one registry check.
type CheckState string

// Check states.
const (
	CheckPending   CheckState = "pending"
	CheckVerified  CheckState = "verified"
	CheckFailed    CheckState = "failed"
	CheckSkipped   CheckState = "skipped"   // an INN lookup found nothing; the submission goes on
	CheckCancelled CheckState = "cancelled" // another check of the submission failed
)

var submissionMoves = map[SubmissionState][]SubmissionState{
	SubmissionChecking: {SubmissionVerified, SubmissionFailed},
}

var checkMoves = map[CheckState][]CheckState{
	CheckPending: {CheckPending, CheckVerified, CheckFailed, CheckSkipped, CheckCancelled},
}

// CanMove reports whether a submission may go from one state to another.
func (s SubmissionState) CanMove(to SubmissionState) bool {
	return slices.Contains(submissionMoves[s], to)
}

// CanMove reports whether a check may go from one state to another (pending to pending is a
// new attempt).
func (s CheckState) CanMove(to CheckState) bool { return slices.Contains(checkMoves[s], to) }

// Final reports whether the check has its result.
func (s CheckState) Final() bool { return s != CheckPending }

// Submission is one request to verify the profile's pending changes.
type Submission struct {
	ID         string
	AccountID  string
	State      SubmissionState
	Reason     string // why it failed: the failed check's reason, or snils_taken
	Pending    int    // checks without a result
	CreatedAt  time.Time
	DeadlineAt time.Time // checks not answered by then fail with registry_timeout
	FinishedAt time.Time
	Checks     []*Check // ordered by registry
}

// Check is one registry's check within a submission.
type Check struct {
	ID           string
	SubmissionID string
	AccountID    string
	Registry     string // registry.NameSNILS, NameDocument or NameINN
	State        CheckState
	Reason       string
	Request      Request // sealed at rest
	// Attempt is the token of the one job allowed to write this check; every reschedule
	// increments it.
	Attempt    int
	Calls      int // registry calls made (drives the backoff)
	LastError  string
	CreatedAt  time.Time
	DeadlineAt time.Time
	NextAt     time.Time // when the current attempt is due
	FinishedAt time.Time
}

// Request is what a check sends to its registry: a snapshot taken at submission.
type Request struct {
	Person   Personal    `json:"person"`
	SNILS    string      `json:"snils,omitempty"`
	Document *IDDocument `json:"document,omitempty"`
	INN      string      `json:"inn,omitempty"` // "" with the tax registry: look the INN up
}

// Result is a check's outcome as the store records it.
type Result struct {
	State  CheckState
	Reason string
	At     time.Time
}

func (r Result) validate() error {
	if !CheckPending.CanMove(r.State) || r.State == CheckPending || r.State == CheckCancelled {
		return fmt.Errorf("check result state %q", r.State)
	}
	return nil
}
