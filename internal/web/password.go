package web

import (
	"errors"
	"net/http"

	"github.com/civis-id/civis/internal/credential"
	"github.com/civis-id/civis/internal/flow"
)

// passwordData is the content of the password page.
type passwordData struct {
	ID       string
	Username string // the confirmed contact, for password managers
	Rules    []rule
	Errors   []string
}

// rule is one line of the password rules; State is "met" or "unmet" after a rejected
// password, and empty before.
type rule struct {
	Key, Text, State string
}

// ruleCodes maps each shown rule to the policy codes that break it.
var ruleCodes = []struct {
	key   string
	codes []string
}{
	{"length", []string{credential.CodePasswordTooShort, credential.CodePasswordTooLong}},
	{"lower", []string{credential.CodePasswordNeedsLower}},
	{"upper", []string{credential.CodePasswordNeedsUpper}},
	{"digit", []string{credential.CodePasswordNeedsDigit}},
	{"special", []string{credential.CodePasswordNeedsSpecial}},
	{"common", []string{credential.CodePasswordTooCommon}},
}

// passwordForm shows the last registration step once a contact is confirmed.
func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) {
	reg, ok := h.liveRegistration(w, r)
	if !ok {
		return
	}
	if reg.ConfirmedCount() == 0 {
		seeOther(w, r, registrationPath(reg.ID, ""))
		return
	}
	h.renderPassword(w, r, http.StatusOK, h.newView(r, "title_password"), reg, nil)
}

// setPassword creates the account, signs the citizen in and opens the cabinet.
func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	signed, err := h.Flows.SetPassword(r.Context(), r.PathValue("id"), r.PostForm.Get("password"), h.meta(r))
	if errors.Is(err, flow.ErrNotConfirmed) {
		seeOther(w, r, registrationPath(r.PathValue("id"), ""))
		return
	}
	if err != nil {
		h.passwordFailed(w, r, err)
		return
	}
	h.startSession(w, signed)
	seeOther(w, r, "/cabinet")
}

// passwordFailed shows a rejected password with every broken rule.
func (h *Handler) passwordFailed(w http.ResponseWriter, r *http.Request, err error) {
	reg, ok := h.liveRegistration(w, r)
	if !ok {
		return
	}
	v := h.newView(r, "title_password")
	status, ok := h.explain(w, r, v, err, sameIDs)
	if !ok {
		return
	}
	var broken map[string]bool
	var ve *flow.ValidationError
	if errors.As(err, &ve) {
		broken = map[string]bool{}
		for _, f := range ve.Fields {
			broken[f.Code] = true
		}
	}
	h.renderPassword(w, r, status, v, reg, broken)
}

// renderPassword renders the password page; broken, when not nil, holds the codes of the
// rules the last password broke.
func (h *Handler) renderPassword(w http.ResponseWriter, r *http.Request, status int, v *view, reg *flow.Registration, broken map[string]bool) {
	d := passwordData{ID: reg.ID, Errors: v.Errs("password")}
	for _, c := range reg.Contacts {
		if c.Confirmed && d.Username == "" {
			d.Username = c.Value
		}
	}
	for _, rc := range ruleCodes {
		ru := rule{Key: rc.key, Text: v.T("rule_" + rc.key)}
		if broken != nil {
			ru.State = "met"
			for _, code := range rc.codes {
				if broken[code] {
					ru.State = "unmet"
				}
			}
		}
		d.Rules = append(d.Rules, ru)
	}
	v.Data = d
	v.Next = registrationPath(reg.ID, "password")
	h.render(w, r, status, "password", v)
}
