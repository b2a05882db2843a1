package web

import (
	"net/http"
)

// activateData is the content of the activation page of an account registered at a service
// center: the citizen chooses the first password.
type activateData struct {
	Token  string
	Rules  []rule
	Errors []string
}

// activateForm shows the password form of an activation link.
func (h *Handler) activateForm(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "title_activate")
	h.renderActivate(w, r, http.StatusOK, v, nil)
}

func (h *Handler) renderActivate(w http.ResponseWriter, r *http.Request, status int, v *view, broken map[string]bool) {
	v.Data = activateData{Token: r.PathValue("token"), Rules: passwordRules(v, broken), Errors: v.Errs("password")}
	v.Next = "/activate/" + r.PathValue("token")
	h.render(w, r, status, "activate", v)
}

// activate sets the first password; the citizen then signs in with it.
func (h *Handler) activate(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	_, err := h.Operator.Activate(r.Context(), r.PathValue("token"), r.PostForm.Get("password"), h.meta(r).IP)
	if err == nil {
		v := h.newView(r, "title_login")
		v.Notice = v.T("notice_activated")
		v.Next = "/login"
		v.Data = loginData{Passkeys: h.passkeysOn()}
		h.render(w, r, http.StatusOK, "login", v)
		return
	}
	if broken := brokenRules(err); broken != nil {
		v := h.newView(r, "title_activate")
		for _, f := range opFieldsOf(err) {
			v.addFieldError("password", opFieldMessage(v, f))
		}
		h.renderActivate(w, r, http.StatusUnprocessableEntity, v, broken)
		return
	}
	_, code, known := opFields(err)
	if !known {
		h.internal(w, r, err)
		return
	}
	msg := "problem_activation_invalid"
	if code == "rate_limited" {
		msg = "problem_rate_limited"
	}
	h.errorPage(w, r, opStatusOf(err, code), msg, link{"/login", "link_login"}, link{"/recover", "recover_link_again"})
}

// opFieldsOf returns the field errors err carries.
func opFieldsOf(err error) []fieldProblem {
	fields, _, _ := opFields(err)
	return fields
}
