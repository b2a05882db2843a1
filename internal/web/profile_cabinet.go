package web

import (
	"context"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/proofing"
)

// profileCard is the cabinet's section about the profile: the state of its registry checks,
// and a link to it.
type profileCard struct {
	State  string // none, draft, checking, failed, verified
	Text   string
	Checks []profileCheckRow // while checking, and after a failure
}

// profileCabinet fills the cabinet's profile section and lists for the next level only what
// the profile still lacks, when the pages have the proofing service.
func (h *Handler) profileCabinet(ctx context.Context, v *view, d *cabinetData, acc *account.Account) error {
	if h.Proofing == nil {
		return nil
	}
	p, last, err := h.Proofing.Profile(ctx, acc.ID)
	if err != nil {
		return err
	}
	if _, needs, ok := acc.NextLevelWith(p.Meets); ok {
		d.Needs = d.Needs[:0]
		for _, n := range needs {
			d.Needs = append(d.Needs, h.needText(v, n))
		}
	}
	vr := profileVerificationView(v, p, last, false)
	card := &profileCard{State: vr.State}
	switch {
	case vr.State == "none" && p.Pending():
		card.State = "draft"
	case vr.State == "none" && acc.Level != account.Simplified:
		card.State = "kept"
	case vr.State == string(proofing.SubmissionChecking) || vr.State == string(proofing.SubmissionFailed):
		card.Checks = vr.Checks
	}
	card.Text = v.T("profile_cabinet_" + card.State)
	d.Profile = card
	return nil
}
