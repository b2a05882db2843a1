package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/civis-id/civis/internal/account"
)

// cabinetData is the content of the personal cabinet.
type cabinetData struct {
	FullName  string
	Level     string // in words
	Contacts  []contactRow
	NextLevel string // in words; empty at the top level
	Needs     []string
	// With single sign-on: the sites the citizen let read their data, and the history of
	// who received it.
	ShowSites, ShowEvents bool
	Sites                 []siteRow
	Events                []eventRow
	// With the proofing service: the profile's registry checks, and a link to it.
	Profile *profileCard
	// Workstation links service-center staff to the operator workstation.
	Workstation bool
	// Links to pages that exist only with their service: the letter page (Letters), the
	// directory of centers (Centers), the security page (MFA) and account care (Recovery).
	LetterLink, CentersLink, SecurityLink, AccountLink bool
}

// contactRow is one contact of the account.
type contactRow struct {
	Kind, Value string
	Confirmed   bool
}

// cabinet shows the signed-in citizen's account; without a session it asks to sign in.
func (h *Handler) cabinet(w http.ResponseWriter, r *http.Request) {
	acc, ok := h.citizenAccount(w, r)
	if !ok {
		return
	}
	v := h.newView(r, "title_cabinet")
	d := h.cabinetView(v, acc)
	if err := h.ssoSections(r.Context(), v, &d, acc.ID); err != nil {
		h.internal(w, r, err)
		return
	}
	if err := h.profileCabinet(r.Context(), v, &d, acc); err != nil {
		h.internal(w, r, err)
		return
	}
	if r.URL.Query().Get("revoked") != "" {
		v.Notice = v.T("notice_site_revoked")
	}
	d.Workstation = h.isStaff(r.Context(), acc.ID)
	v.Data = d
	h.render(w, r, http.StatusOK, "cabinet", v)
}

// ssoSections fills the cabinet's connected sites and history, when the pages serve
// single sign-on.
func (h *Handler) ssoSections(ctx context.Context, v *view, d *cabinetData, accountID string) error {
	var err error
	if h.OIDC != nil {
		d.ShowSites = true
		if d.Sites, err = h.connectedSites(ctx, v, accountID); err != nil {
			return err
		}
	}
	if h.Events != nil {
		d.ShowEvents = true
		d.Events, err = h.history(ctx, v, accountID)
	}
	return err
}

// endSessionIfSent clears a session cookie that no longer works.
func (h *Handler) endSessionIfSent(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(h.sessionCookie()); err == nil {
		h.endSession(w)
	}
}

// cabinetView is the cabinet's account part, with links only to the pages this handler
// serves.
func (h *Handler) cabinetView(v *view, a *account.Account) cabinetData {
	d := cabinetData{
		FullName:   strings.Join(nonEmpty(a.LastName, a.FirstName, a.MiddleName), " "),
		Level:      v.T("level_" + string(a.Level)),
		LetterLink: h.Letters != nil, CentersLink: h.Centers != nil,
		SecurityLink: h.MFA != nil, AccountLink: h.Recovery != nil,
	}
	for _, c := range a.Contacts {
		d.Contacts = append(d.Contacts, contactRow{
			Kind: v.T("contact_" + string(c.Kind)), Value: showContact(c.Kind, c.Value), Confirmed: c.Verified,
		})
	}
	if next, needs, ok := a.NextLevel(); ok {
		d.NextLevel = v.T("level_" + string(next))
		for _, n := range needs {
			d.Needs = append(d.Needs, h.needText(v, n))
		}
	}
	return d
}

// needText words one requirement of the next level. Without the letters service the advice
// on confirming one's identity leaves the registered letter out.
func (h *Handler) needText(v *view, n account.Requirement) string {
	if n == account.NeedConfirmation && h.Letters == nil {
		return v.T("need_identity_confirmation_no_letter")
	}
	return v.T("need_" + string(n))
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
