package web

import (
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/settings"
)

// accountPasswordData is the content of the change-password page.
type accountPasswordData struct {
	Old    input
	Rules  []rule
	Errors []string       // of the new password
	PoW    *pow.Challenge // after repeated wrong old passwords
}

func (h *Handler) accountPasswordForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.careSession(w, r); !ok {
		return
	}
	h.renderAccountPassword(w, r, http.StatusOK, h.newView(r, "title_account_password"), nil, nil)
}

func (h *Handler) renderAccountPassword(w http.ResponseWriter, r *http.Request, status int, v *view, broken map[string]bool, ch *pow.Challenge) {
	v.Data = accountPasswordData{Old: textInput(v, "old_password", "password", "current-password", 1024, false),
		Rules: passwordRules(v, broken), Errors: v.Errs("password"), PoW: ch}
	v.Next = "/account/password"
	h.render(w, r, status, "account_password", v)
}

// accountPassword changes the password; every other device is signed out.
func (h *Handler) accountPassword(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	_, err := h.Settings.ChangePassword(r.Context(), sess, settings.PasswordChange{Old: r.PostForm.Get("old_password"),
		New: r.PostForm.Get("password"), PoW: solution(r)}, h.meta(r))
	if err != nil {
		v := h.newView(r, "title_account_password")
		if status, ok := h.careExplain(w, r, v, err, passwordChangeIDs); ok {
			h.renderAccountPassword(w, r, status, v, brokenRules(err), powOf(err))
		}
		return
	}
	seeOther(w, r, "/account?done=password")
}

func passwordChangeIDs(field string) string {
	switch field {
	case "old_password":
		return "old_password"
	case "new_password":
		return "password"
	}
	return ""
}

// accountContactData is the content of the change-contact pages: the form, then the code.
type accountContactData struct {
	ID       string // the pending change, on the code page
	Kinds    []kindOption
	Value    input
	Password input
	Code     input
	Kind     string
}

func (h *Handler) accountContactForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.careSession(w, r); !ok {
		return
	}
	h.renderContactForm(w, r, http.StatusOK, h.newView(r, "title_account_contact"))
}

func (h *Handler) renderContactForm(w http.ResponseWriter, r *http.Request, status int, v *view) {
	chosen := v.Val("kind")
	if chosen == "" {
		chosen = r.URL.Query().Get("kind")
	}
	var kinds []kindOption
	for i, k := range []account.ContactKind{account.Phone, account.Email} {
		kinds = append(kinds, kindOption{Value: string(k), Label: v.T("contact_" + string(k)),
			Checked: string(k) == chosen || (chosen == "" && i == 0)})
	}
	v.Data = accountContactData{Kinds: kinds, Value: textInput(v, "value", "text", "off", 254, true),
		Password: textInput(v, "current_password", "password", "current-password", 1024, false)}
	v.Next = "/account/contact"
	h.render(w, r, status, "account_contact", v)
}

// accountContactStart sends a code to the new contact (after the password again).
func (h *Handler) accountContactStart(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	err := h.reauth(r, sess)
	var c *settings.ContactChange
	if err == nil {
		c, err = h.Settings.StartContactChange(r.Context(), sess, r.PostForm.Get("kind"), r.PostForm.Get("value"), h.meta(r))
	}
	if err != nil {
		v := h.newView(r, "title_account_contact")
		v.Form = url.Values{"kind": {r.PostForm.Get("kind")}, "value": {r.PostForm.Get("value")}}
		if status, ok := h.careExplain(w, r, v, err, questionIDs); ok {
			h.renderContactForm(w, r, status, v)
		}
		return
	}
	seeOther(w, r, "/account/contact/"+url.PathEscape(c.ID))
}

func (h *Handler) accountContactCodeForm(w http.ResponseWriter, r *http.Request) {
	h.renderContactCode(w, r, http.StatusOK, h.newView(r, "title_account_contact"))
}

func (h *Handler) renderContactCode(w http.ResponseWriter, r *http.Request, status int, v *view) {
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	c, err := h.Settings.GetContactChange(r.Context(), sess, r.PathValue("id"))
	if err != nil {
		if _, ok := h.careExplain(w, r, v, err, sameIDs); ok {
			h.internal(w, r, err)
		}
		return
	}
	code := textInput(v, "code", "text", "one-time-code", 6, false)
	code.InputMode = "numeric"
	code.Hint = v.T("account_hint_code_"+string(c.Kind), "Contact", maskContact(c.Kind, c.Value))
	v.Data = accountContactData{ID: c.ID, Code: code, Kind: string(c.Kind)}
	v.Next = "/account/contact/" + url.PathEscape(c.ID)
	h.render(w, r, status, "account_contact", v)
}

// accountContactConfirm checks the code; the new contact replaces the old one.
func (h *Handler) accountContactConfirm(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	if _, err := h.Settings.ConfirmContactChange(r.Context(), sess, r.PathValue("id"), r.PostForm.Get("code"), h.meta(r)); err != nil {
		v := h.newView(r, "title_account_contact")
		if status, ok := h.careExplain(w, r, v, err, sameIDs); ok {
			h.renderContactCode(w, r, status, v)
		}
		return
	}
	seeOther(w, r, "/account?done=contact")
}
