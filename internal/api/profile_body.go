package api

import (
	"time"

	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/proofing"
)

// JSON views of the profile and its checks.

type failureBody struct {
	Registry string `json:"registry"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
	At       string `json:"at"`
}

// checkedItem is a registry-checked item: the verified version in force and the pending change.
type checkedItem[T any] struct {
	State      string       `json:"state"`
	Verified   *T           `json:"verified"`
	VerifiedAt *string      `json:"verified_at"`
	Pending    *T           `json:"pending"`
	Failure    *failureBody `json:"failure"`
}

func itemBody[T comparable, B any](v *proofing.Versioned[T], state proofing.ItemState, view func(T) B) checkedItem[B] {
	out := checkedItem[B]{State: string(state)}
	if v.Verified != nil {
		b := view(*v.Verified)
		out.Verified, out.VerifiedAt = &b, timePtr(v.VerifiedAt)
	}
	if v.Pending != nil {
		b := view(*v.Pending)
		out.Pending = &b
	}
	if f := v.Failure; f != nil && state == proofing.ItemFailed {
		out.Failure = &failureBody{Registry: f.Registry, Reason: f.Reason, Message: proofing.ReasonMessage(f.Reason),
			At: rfc3339(f.At)}
	}
	return out
}

func same[T any](x T) T { return x }

type profileResponse struct {
	State                 string                           `json:"state"`
	Personal              checkedItem[proofing.Personal]   `json:"personal"`
	SNILS                 checkedItem[string]              `json:"snils"`
	IDDoc                 checkedItem[proofing.IDDocument] `json:"id_doc"`
	INN                   checkedItem[string]              `json:"inn"`
	DriversLicence        *proofing.DriversLicence         `json:"drivers_licence"`
	MedicalPolicy         *proofing.MedicalPolicy          `json:"medical_policy"`
	InternationalPassport *proofing.InternationalPassport  `json:"international_passport"`
	MilitaryID            *proofing.MilitaryID             `json:"military_id"`
	Vehicles              []proofing.Vehicle               `json:"vehicles"`
	RegistrationAddress   *proofing.Address                `json:"registration_address"`
	ActualAddress         *proofing.Address                `json:"actual_address"`
	Verification          *submissionBody                  `json:"verification"`
}

func profileBody(p *proofing.Profile, last *proofing.Submission) profileResponse {
	state := "editable"
	if p.Checking() {
		state = "checking"
	}
	out := profileResponse{
		State:    state,
		Personal: itemBody(&p.Personal, p.ItemState(proofing.ItemPersonal), same[proofing.Personal]),
		SNILS:    itemBody(&p.SNILS, p.ItemState(proofing.ItemSNILS), ident.FormatSNILS),
		IDDoc:    itemBody(&p.IDDoc, p.ItemState(proofing.ItemIDDoc), same[proofing.IDDocument]),
		INN:      itemBody(&p.INN, p.ItemState(proofing.ItemINN), same[string]),

		DriversLicence: p.DriversLicence, MedicalPolicy: p.MedicalPolicy,
		InternationalPassport: p.InternationalPassport, MilitaryID: p.MilitaryID,
		Vehicles:            append([]proofing.Vehicle{}, p.Vehicles...),
		RegistrationAddress: p.RegistrationAddress, ActualAddress: p.ActualAddress,
	}
	if last != nil {
		b := submissionView(last)
		out.Verification = &b
	}
	return out
}

type submissionBody struct {
	ID         string      `json:"id"`
	State      string      `json:"state"`
	Reason     string      `json:"reason,omitempty"`
	Message    string      `json:"message,omitempty"`
	CreatedAt  string      `json:"created_at"`
	DeadlineAt string      `json:"deadline_at"`
	FinishedAt *string     `json:"finished_at"`
	Checks     []checkBody `json:"checks"`
}

type checkBody struct {
	Registry      string  `json:"registry"`
	State         string  `json:"state"`
	Reason        string  `json:"reason,omitempty"`
	Message       string  `json:"message,omitempty"`
	Attempts      int     `json:"attempts"`
	NextAttemptAt *string `json:"next_attempt_at"`
	FinishedAt    *string `json:"finished_at"`
}

func submissionView(s *proofing.Submission) submissionBody {
	out := submissionBody{ID: s.ID, State: string(s.State), Reason: s.Reason, Message: proofing.ReasonMessage(s.Reason),
		CreatedAt: rfc3339(s.CreatedAt), DeadlineAt: rfc3339(s.DeadlineAt), FinishedAt: timePtr(s.FinishedAt),
		Checks: []checkBody{}}
	for _, c := range s.Checks {
		cb := checkBody{Registry: c.Registry, State: string(c.State), Reason: c.Reason,
			Message: proofing.ReasonMessage(c.Reason), Attempts: c.Calls, FinishedAt: timePtr(c.FinishedAt)}
		if c.State == proofing.CheckPending {
			cb.NextAttemptAt = timePtr(c.NextAt)
		}
		out.Checks = append(out.Checks, cb)
	}
	return out
}

type checksResponse struct {
	Submissions []submissionBody `json:"submissions"`
}

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := rfc3339(t)
	return &s
}
