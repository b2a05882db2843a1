package web

import (
	"slices"
	"strings"

	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/registry"
)

// profileVerification is the page's account of the registry checks: the latest submission
// with each registry's state, and whether there is something to submit.
type profileVerification struct {
	State     string // none, checking, verified, failed
	Signature string // changes whenever a check's state does; profile.js polls for it
	Lead      string
	Reason    string // why the submission failed, in words
	Checks    []profileCheckRow
	When      string // when it was submitted and when the registries' time is up, in words
	Finished  *stamp
	CanSubmit bool
	Changes   []string // the items with a change to check, in words
	Taken     bool     // the SNILS is verified on another account: explain how to recover it
}

// profileCheckRow is one registry's check.
type profileCheckRow struct {
	Registry, What, State, StateText, Reason string
}

func profileVerificationView(v *view, p *proofing.Profile, last *proofing.Submission, taken bool) profileVerification {
	vr := profileVerification{State: "none", Taken: taken}
	if last != nil {
		vr.State = string(last.State)
		vr.When = v.T("profile_verification_when", "Started", v.when(last.CreatedAt), "Deadline", v.when(last.DeadlineAt))
		if !last.FinishedAt.IsZero() {
			s := v.stamp(last.FinishedAt)
			vr.Finished = &s
		}
		sig := []string{last.ID, string(last.State)}
		for _, c := range profileCheckOrder(last.Checks) {
			vr.Checks = append(vr.Checks, profileCheck(v, c))
			sig = append(sig, string(c.State))
		}
		vr.Signature = strings.Join(sig, ":")
	}
	if p.Checking() {
		vr.State = string(proofing.SubmissionChecking)
	}
	switch vr.State {
	case string(proofing.SubmissionFailed):
		if failedRegistry(last) == "" { // no check's line says why
			vr.Reason = profileReason(v, "", last.Reason)
		}
		vr.Taken = vr.Taken || (last.Reason == proofing.ErrSNILSTaken.Code && p.SNILS.Pending != nil)
	case string(proofing.SubmissionVerified):
		if p.Pending() {
			vr.State = "none" // new changes since: the old result is no news
		}
	}
	vr.Lead = v.T("profile_verification_" + vr.State)
	vr.CanSubmit = p.Pending() && !p.Checking()
	for _, it := range []proofing.Item{proofing.ItemPersonal, proofing.ItemSNILS, proofing.ItemIDDoc, proofing.ItemINN} {
		if st := p.ItemState(it); st == proofing.ItemDraft || st == proofing.ItemFailed {
			vr.Changes = append(vr.Changes, v.T("profile_section_"+string(it)))
		}
	}
	return vr
}

func profileCheck(v *view, c *proofing.Check) profileCheckRow {
	row := profileCheckRow{Registry: c.Registry, What: profileRegistryChecks(v, c.Registry), State: string(c.State),
		StateText: v.T("profile_check_state_" + string(c.State))}
	if c.State != proofing.CheckPending && c.State != proofing.CheckVerified {
		row.Reason = profileReason(v, c.Registry, c.Reason)
	}
	return row
}

// profileRegistryChecks names the registry with what it checks: "The pension fund: SNILS".
func profileRegistryChecks(v *view, registry string) string {
	if v.Has("profile_checks_" + registry) {
		return v.T("profile_checks_" + registry)
	}
	return registry
}

// profileCheckOrder sorts checks as the page lists the items: SNILS, identity document, INN.
func profileCheckOrder(checks []*proofing.Check) []*proofing.Check {
	rank := map[string]int{registry.NameSNILS: 1, registry.NameDocument: 2, registry.NameINN: 3}
	out := slices.Clone(checks)
	slices.SortStableFunc(out, func(a, b *proofing.Check) int { return rank[a.Registry] - rank[b.Registry] })
	return out
}

// failedRegistry is the registry whose check failed the submission ("" when none did, as when
// the SNILS was verified on another account meanwhile).
func failedRegistry(s *proofing.Submission) string {
	for _, c := range s.Checks {
		if c.State == proofing.CheckFailed {
			return c.Registry
		}
	}
	return ""
}
