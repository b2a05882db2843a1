package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/oidc"
)

// The browser steps of an OpenID Connect authorization. The provider sends the browser to
// the dispatcher (oidc.PathLogin) whenever it needs the citizen; the dispatcher asks the
// provider for the next step and shows its page or redirects. The step pages post back here,
// and every answer ends in one of the same four steps.

// authPath is the dispatcher's URL for authorization id.
func authPath(id string) string { return oidc.PathLogin + "?id=" + url.QueryEscape(id) }

// loginPath is the sign-in page for authorization id.
func loginPath(id string) string { return "/login?auth_request=" + url.QueryEscape(id) }

// validAuthID reports whether id looks like an authorization id, so that garbage never
// reaches the database.
func validAuthID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// authorize is the dispatcher: it shows or redirects to the step the provider asks for.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if !validAuthID(id) {
		h.unknownRequest(w, r)
		return
	}
	st, err := h.OIDC.Next(r.Context(), id, h.BrowserSession(r))
	h.act(w, r, id, st, err)
}

// consent records the citizen's decision on the consent page.
func (h *Handler) consent(w http.ResponseWriter, r *http.Request) {
	id, ok := h.authForm(w, r)
	if !ok {
		return
	}
	switch r.PostForm.Get("decision") {
	case "approve":
		st, err := h.OIDC.Approve(r.Context(), id, h.BrowserSession(r))
		h.act(w, r, id, st, err)
	case "deny":
		st, err := h.OIDC.Cancel(r.Context(), id, "access_denied")
		h.act(w, r, id, st, err)
	default:
		h.errorPage(w, r, http.StatusBadRequest, "problem_bad_request")
	}
}

// cancel sends the citizen back to a site whose requirements the account does not meet.
func (h *Handler) cancel(w http.ResponseWriter, r *http.Request) {
	id, ok := h.authForm(w, r)
	if !ok {
		return
	}
	st, err := h.OIDC.Cancel(r.Context(), id, "unmet_authentication_requirements")
	h.act(w, r, id, st, err)
}

// authForm reads the posted form of a step page and its authorization id.
func (h *Handler) authForm(w http.ResponseWriter, r *http.Request) (string, bool) {
	if !h.parseForm(w, r) {
		return "", false
	}
	id := r.PostForm.Get("id")
	if !validAuthID(id) {
		h.unknownRequest(w, r)
		return "", false
	}
	return id, true
}

// act answers with step st of authorization id, or with the page for err.
func (h *Handler) act(w http.ResponseWriter, r *http.Request, id string, st *oidc.Step, err error) {
	switch {
	case errors.Is(err, oidc.ErrUnknownRequest):
		h.unknownRequest(w, r)
		return
	case err != nil:
		h.internal(w, r, err)
		return
	}
	switch st.Kind {
	case oidc.StepLogin:
		seeOther(w, r, loginPath(id))
	case oidc.StepConsent:
		h.renderConsent(w, r, id, st)
	case oidc.StepRefuse:
		h.renderRefuse(w, r, id, st)
	case oidc.StepRedirect:
		seeOther(w, r, st.Redirect)
	default:
		h.internal(w, r, fmt.Errorf("authorization %s: unknown step %d", id, st.Kind))
	}
}

// unknownRequest explains that an authorization can no longer go on.
func (h *Handler) unknownRequest(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusBadRequest, "problem_auth_request_unknown", link{"/cabinet", "link_cabinet"})
}

// stepView starts the view of a step page: in the language of the lang cookie, else the
// first of the site's ui_locales Civis speaks, else the browser's. The forms of the page may
// end on the site, so the page's CSP lets them go there.
func (h *Handler) stepView(w http.ResponseWriter, r *http.Request, id string, st *oidc.Step, titleID string) *view {
	v := h.newViewIn(r, stepLang(r, st), titleID, "Site", clientName(st))
	v.Next = authPath(id)
	if st.Request != nil {
		extendCSP(w, "form-action", origins(st.Request.RedirectURI))
	}
	return v
}

// stepLang picks the language of a step page.
func stepLang(r *http.Request, st *oidc.Step) string {
	if c, err := r.Cookie("lang"); err == nil && slices.Contains(languages, c.Value) {
		return c.Value
	}
	if st != nil && st.Request != nil {
		for _, tag := range st.Request.UILocales {
			tag = strings.ToLower(tag)
			for _, lang := range languages {
				if tag == lang || strings.HasPrefix(tag, lang+"-") {
					return lang
				}
			}
		}
	}
	return httpx.Locale(r)
}

// clientName is the name of the site asking, or its id.
func clientName(st *oidc.Step) string {
	switch {
	case st == nil || st.Client == nil && st.Request == nil:
		return ""
	case st.Client == nil:
		return st.Request.ClientID
	case st.Client.Name != "":
		return st.Client.Name
	}
	return st.Client.ID
}
