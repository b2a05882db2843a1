package web

import (
	"net/http"
	"strings"

	"github.com/civis-id/civis/internal/oidc"
)

// consentData is the content of the consent page.
type consentData struct {
	ID      string
	Site    string
	Account string   // who is signed in
	Data    []string // one line per scope, in words
}

// renderConsent asks the citizen to let the site read the data it asks for.
func (h *Handler) renderConsent(w http.ResponseWriter, r *http.Request, id string, st *oidc.Step) {
	v := h.stepView(w, r, id, st, "title_consent")
	d := consentData{ID: id, Site: clientName(st), Data: scopeLines(v, st.Scopes)}
	if a := st.Account; a != nil {
		d.Account = strings.Join(nonEmpty(a.LastName, a.FirstName, a.MiddleName), " ")
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "consent", v)
}

// refuseData is the content of the page shown when the account does not meet what the site
// requires.
type refuseData struct {
	ID      string
	Site    string
	Reason  string   // level_too_low, method_refused, level_unavailable, aal_too_low
	Lead    string   // what the site needs and what the account has
	Todo    string   // the heading of Steps
	Steps   []string // what to do next, in words
	Cabinet bool     // the cabinet helps: link to it prominently
}

// renderRefuse explains why the account cannot sign in to the site and what to do.
func (h *Handler) renderRefuse(w http.ResponseWriter, r *http.Request, id string, st *oidc.Step) {
	v := h.stepView(w, r, id, st, "title_refuse")
	site := clientName(st)
	d := refuseData{ID: id, Site: site, Reason: st.Reason}
	required := levelWords(v, string(st.Required))
	switch st.Reason {
	case "level_too_low":
		current := ""
		if st.Account != nil {
			current = levelWords(v, string(st.Account.Level))
			d.Steps = h.stepsTo(v, st.Account, st.Required)
		}
		d.Lead = v.T("refuse_level_too_low", "Site", site, "Required", required, "Current", current)
		d.Todo, d.Cabinet = v.T("refuse_level_steps", "Required", required), true
	case "method_refused":
		method := ""
		if st.Account != nil {
			method = methodWords(v, st.Account.ConfirmationMethod)
		}
		d.Lead = v.T("refuse_method_refused", "Site", site, "Method", method)
		d.Todo = v.T("refuse_method_steps")
		if st.Client != nil {
			for _, m := range st.Client.AllowedMethods {
				d.Steps = append(d.Steps, methodWords(v, m))
			}
		}
	case "aal_too_low":
		d.Lead = v.T("refuse_aal_too_low", "Site", site)
	default: // level_unavailable, or a reason this page does not know yet
		d.Lead = v.T("refuse_level_unavailable", "Site", site)
	}
	v.Data = d
	h.render(w, r, http.StatusForbidden, "refuse", v)
}
