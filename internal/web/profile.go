package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/proofing"
)

// The profile page: personal data and documents, their registry checks. One form per item
// saves it (POST /profile with section=<item>); another submits the changes for
// verification (POST /profile/submit). It mirrors the profile JSON API.

// profileRoutes are mounted when the Handler has the proofing service.
func (h *Handler) profileRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /profile":         h.profilePage,
		"POST /profile":        h.profileSave,
		"POST /profile/submit": h.profileSubmit,
	}
}

// profilePage shows the profile, with a notice after a save or a submission.
func (h *Handler) profilePage(w http.ResponseWriter, r *http.Request) {
	acc, ok := h.citizenAccount(w, r)
	if !ok {
		return
	}
	v := h.newView(r, "profile_title")
	q := r.URL.Query()
	if _, ok := profileSectionOf(proofing.Item(q.Get("saved"))); ok {
		v.Notice = v.T("profile_notice_saved", "Section", v.T("profile_section_"+q.Get("saved")))
	} else if q.Get("submitted") != "" {
		v.Notice = v.T("profile_notice_submitted")
	}
	h.renderProfile(w, r, http.StatusOK, v, acc, nil, false)
}

// profileSave saves one section; its errors show the page again with the section as typed.
func (h *Handler) profileSave(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	acc, ok := h.citizenAccount(w, r)
	if !ok {
		return
	}
	sec, ok := profileSectionOf(proofing.Item(r.PostForm.Get("section")))
	if !ok {
		h.errorPage(w, r, http.StatusBadRequest, "problem_bad_request")
		return
	}
	_, err := h.Proofing.Update(r.Context(), acc.ID, profSectionPatch(sec, r.PostForm), h.profileMeta(r))
	if err == nil {
		seeOther(w, r, "/profile?saved="+url.QueryEscape(string(sec.Item))+"#section-"+string(sec.Item))
		return
	}
	v := h.newView(r, "profile_title")
	docType := ""
	if sec.Item == proofing.ItemIDDoc {
		docType = r.PostForm.Get("type")
	}
	status, ok := h.profileExplain(w, r, v, err, docType)
	if ok {
		h.renderProfile(w, r, status, v, acc, &profilePosted{Item: sec.Item, Form: r.PostForm}, false)
	}
}

// profileSubmit submits the pending changes for verification.
func (h *Handler) profileSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	acc, ok := h.citizenAccount(w, r)
	if !ok {
		return
	}
	_, err := h.Proofing.Submit(r.Context(), acc.ID, h.profileMeta(r))
	if err == nil {
		seeOther(w, r, "/profile?submitted=1#verification")
		return
	}
	v := h.newView(r, "profile_title")
	p, _, perr := h.Proofing.Profile(r.Context(), acc.ID)
	if perr != nil {
		h.internal(w, r, perr)
		return
	}
	docType := ""
	if d := p.IDDoc.Current(); d != nil {
		docType = d.Type
	}
	status, ok := h.profileExplain(w, r, v, err, docType)
	if ok {
		var pe *proofing.Error
		taken := errors.As(err, &pe) && pe.Code == proofing.ErrSNILSTaken.Code
		h.renderProfile(w, r, status, v, acc, nil, taken)
	}
}

// profileExplain puts a refusal of the proofing service on v: field errors next to their
// inputs, the rest as an alert. Unexpected errors answer with the 500 page (ok false).
func (h *Handler) profileExplain(w http.ResponseWriter, r *http.Request, v *view, err error, docType string) (int, bool) {
	var pe *proofing.Error
	if !errors.As(err, &pe) {
		h.internal(w, r, err)
		return 0, false
	}
	for _, f := range pe.Fields {
		spot, ok := profileLocate(f.Field)
		scope := profileScope(spot.Item, docType)
		if spot.Field == "" && spot.ID != string(spot.Item) { // the whole item, as "personal": required
			scope = "item_" + string(spot.Item)
		}
		msg := profileErrText(v, scope, spot.Field, f.Code)
		if !ok {
			v.Alert = msg
			continue
		}
		v.addProfileError(spot.ID, profileSpotLabel(v, spot), msg)
	}
	if len(pe.Fields) == 0 || pe.Code == "field_locked" {
		v.Alert = v.T("profile_problem_" + pe.Code)
	}
	return httpx.NewProblem(pe.Code, "").Status, true
}

// renderProfile loads the profile and shows the page with status.
func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, status int, v *view, acc *account.Account,
	posted *profilePosted, taken bool) {
	p, last, err := h.Proofing.Profile(r.Context(), acc.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	v.Data = h.profileView(v, acc, p, last, posted, taken)
	v.Next = "/profile"
	h.render(w, r, status, "profile", v)
}

func (h *Handler) profileMeta(r *http.Request) proofing.Meta {
	return proofing.Meta{IP: httpx.ClientIP(r, h.TrustedProxies)}
}
