package web

import (
	"errors"
	"net/http"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
)

// careRoutes are the pages of account care: access recovery (for anyone) and the account page
// with sessions, settings, the event log and deletion (for the signed-in citizen). They are
// mounted when the Handler has the recovery, settings and deletion services.
func (h *Handler) careRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /recover":                   h.recoverForm,
		"POST /recover":                  h.recoverStart,
		"GET /recover/lost-phone":        h.recoverCenter,
		"GET /recover/{id}":              h.recoverStep,
		"POST /recover/{id}/confirm":     h.recoverConfirm,
		"POST /recover/{id}/resend":      h.recoverResend,
		"POST /recover/{id}/identifier":  h.recoverIdentify,
		"POST /recover/{id}/answer":      h.recoverAnswer,
		"POST /recover/{id}/password":    h.recoverPassword,
		"GET /account":                   h.account,
		"POST /account/sessions/end":     h.accountEndSession,
		"POST /account/sessions/end-all": h.accountEndAll,
		"POST /account/notifications":    h.accountNotifications,
		"POST /account/secret-question":  h.accountSecretQuestion,
		"GET /account/password":          h.accountPasswordForm,
		"POST /account/password":         h.accountPassword,
		"GET /account/contact":           h.accountContactForm,
		"POST /account/contact":          h.accountContactStart,
		"GET /account/contact/{id}":      h.accountContactCodeForm,
		"POST /account/contact/{id}":     h.accountContactConfirm,
		"GET /account/events":            h.accountEvents,
		"GET /account/events.csv":        h.accountEventsCSV,
		"GET /account/delete":            h.accountDeleteForm,
		"POST /account/delete":           h.accountDelete,
	}
}

// careEnds are the errors after which a recovery or a contact change cannot go on, with
// where to go.
var careEnds = map[string][]link{
	"recovery_not_found":       {{"/recover", "recover_link_again"}},
	"recovery_expired":         {{"/recover", "recover_link_again"}},
	"recovery_completed":       {{"/login", "link_login"}},
	"recovery_failed":          {{"/recover", "recover_link_again"}, {"/recover/lost-phone", "recover_link_center"}},
	"contact_change_not_found": {{"/account/contact", "account_link_contact_again"}},
	"contact_change_expired":   {{"/account/contact", "account_link_contact_again"}},
}

// careExplain is explain for the account-care pages: field errors read the pages' own texts
// first (care_field_<code>), and the flows' dead ends show the error page with links onward.
func (h *Handler) careExplain(w http.ResponseWriter, r *http.Request, v *view, err error, ids fieldIDs) (int, bool) {
	p, known := httpx.ProblemFor(err)
	if known {
		if links, end := careEnds[p.Code]; end {
			h.errorPage(w, r, p.Status, "problem_"+p.Code, links...)
			return 0, false
		}
	}
	var ve *flow.ValidationError
	if !errors.As(err, &ve) {
		return h.explain(w, r, v, err, ids)
	}
	for _, f := range ve.Fields {
		msg := fieldMessage(v, f.Code)
		if v.Has("care_field_" + f.Code) {
			msg = v.T("care_field_" + f.Code)
		}
		v.showError(ids(f.Field), msg)
	}
	if len(ve.Fields) == 0 {
		v.Alert = v.T("problem_" + ve.Code)
	}
	return p.Status, true
}

// powOf returns the proof-of-work challenge an error asks to solve, if any.
func powOf(err error) *pow.Challenge {
	var fe *flow.Error
	if errors.As(err, &fe) {
		return fe.PoW
	}
	return nil
}

// solution reads the proof of work the page's script solved, if any.
func solution(r *http.Request) *pow.Solution {
	c, n := r.PostForm.Get("pow_challenge"), r.PostForm.Get("pow_nonce")
	if c == "" || n == "" {
		return nil
	}
	return &pow.Solution{Challenge: c, Nonce: n}
}

// careSession returns the signed-in citizen's session, or sends the browser to sign in.
func (h *Handler) careSession(w http.ResponseWriter, r *http.Request) (*session.Session, bool) {
	sess, err := h.current(r)
	if errors.Is(err, session.ErrInvalid) {
		h.endSessionIfSent(w, r)
		seeOther(w, r, "/login")
		return nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	return sess, true
}

// textInput describes a plain labelled input for the shared field template.
func textInput(v *view, id, typ, autocomplete string, maxLen int, hint bool) input {
	in := input{ID: id, Name: id, Type: typ, Autocomplete: autocomplete, MaxLen: maxLen, Required: true,
		Label: v.T("care_label_" + id), Errors: v.Errs(id)}
	if typ != "password" {
		in.Value = v.Val(id)
	}
	if hint {
		in.Hint = v.T("care_hint_" + id)
	}
	return in
}
