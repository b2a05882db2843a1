package web

import (
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
)

// codesData is the content of the code page.
type codesData struct {
	ID       string
	Contacts []contactCode
	CanSkip  bool // a contact is confirmed: the citizen may go on without the others
}

// contactCode is one contact of the flow with its code form.
type contactCode struct {
	Kind      string // phone or email
	Masked    string
	Confirmed bool
	Code      input
}

// codes shows one code field per contact of the flow.
func (h *Handler) codes(w http.ResponseWriter, r *http.Request) {
	reg, ok := h.liveRegistration(w, r)
	if !ok {
		return
	}
	if reg.State == flow.AwaitingPassword {
		seeOther(w, r, registrationPath(reg.ID, "password"))
		return
	}
	v := h.newView(r, "title_codes")
	if kind := r.URL.Query().Get("resent"); reg.Contact(account.ContactKind(kind)) != nil {
		v.Notice = v.T("notice_code_resent_" + kind)
	}
	h.renderCodes(w, r, http.StatusOK, v, reg)
}

// liveRegistration loads the flow of the path, or shows why it cannot go on.
func (h *Handler) liveRegistration(w http.ResponseWriter, r *http.Request) (*flow.Registration, bool) {
	reg, err := h.Flows.GetRegistration(r.Context(), r.PathValue("id"))
	if err == nil && reg.State == flow.Completed {
		err = flow.ErrFlowCompleted
	}
	if err != nil {
		if _, ok := h.explain(w, r, h.newView(r, "title_error"), err, sameIDs); ok {
			h.internal(w, r, err)
		}
		return nil, false
	}
	return reg, true
}

// renderCodes renders the code page of reg on v, which may carry errors.
func (h *Handler) renderCodes(w http.ResponseWriter, r *http.Request, status int, v *view, reg *flow.Registration) {
	d := codesData{ID: reg.ID, CanSkip: reg.ConfirmedCount() > 0}
	for _, c := range reg.Contacts {
		kind := string(c.Kind)
		id := "code-" + kind
		d.Contacts = append(d.Contacts, contactCode{
			Kind: kind, Masked: maskContact(c.Kind, c.Value), Confirmed: c.Confirmed,
			Code: input{ID: id, Name: "code", Type: "text", Autocomplete: "one-time-code", InputMode: "numeric",
				MaxLen: 6, Required: true, Label: v.T("label_code_" + kind),
				Hint: v.T("hint_code_"+kind, "Contact", maskContact(c.Kind, c.Value)), Errors: v.Errs(id)},
		})
	}
	v.Data = d
	v.Next = registrationPath(reg.ID, "")
	h.render(w, r, status, "codes", v)
}

// channelIDs maps the confirm form's fields to the inputs of the code page.
func channelIDs(channel string) fieldIDs {
	return func(field string) string {
		if field == "code" && (channel == string(account.Phone) || channel == string(account.Email)) {
			return "code-" + channel
		}
		return ""
	}
}

// confirm checks a code; when every contact is confirmed it goes on to the password.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	channel, code := r.PostForm.Get("channel"), r.PostForm.Get("code")
	reg, err := h.Flows.ConfirmContact(r.Context(), r.PathValue("id"), channel, code, h.meta(r))
	if err != nil {
		h.codesFailed(w, r, h.newView(r, "title_codes"), err, channelIDs(channel))
		return
	}
	if reg.State == flow.AwaitingPassword {
		seeOther(w, r, registrationPath(reg.ID, "password"))
		return
	}
	seeOther(w, r, registrationPath(reg.ID, ""))
}

// resend sends a new code to one contact of the flow.
func (h *Handler) resend(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	channel := r.PostForm.Get("channel")
	reg, err := h.Flows.ResendCode(r.Context(), r.PathValue("id"), channel, h.meta(r))
	if err != nil {
		h.codesFailed(w, r, h.newView(r, "title_codes"), err, channelIDs(""))
		return
	}
	seeOther(w, r, registrationPath(reg.ID, "")+"?resent="+url.QueryEscape(channel))
}

// codesFailed shows err on the code page, loading the flow again to draw it.
func (h *Handler) codesFailed(w http.ResponseWriter, r *http.Request, v *view, err error, ids fieldIDs) {
	reg, ok := h.liveRegistration(w, r)
	if !ok {
		return
	}
	if status, ok := h.explain(w, r, v, err, ids); ok {
		h.renderCodes(w, r, status, v, reg)
	}
}
