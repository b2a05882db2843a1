package web

import (
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/deletion"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/proofing"
	"github.com/civis-id/civis/internal/recovery"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/settings"
	"github.com/civis-id/civis/internal/staff"
)

// Handler serves the citizen's HTML pages.
type Handler struct {
	Flows          *flow.Service
	Sessions       *session.Service
	Accounts       account.Store
	Logger         *slog.Logger
	TrustedProxies []netip.Prefix
	Secure         bool // public URL is https: cookies get Secure and the __Host- prefix
	Dev            bool // show a link to /dev/outbox on the code page
	// OIDC, when set, adds the browser steps of single sign-on (sign-in for a site, consent,
	// refusal, logged out) and the cabinet's connected sites.
	OIDC *oidc.Provider
	// Events, when set, shows the citizen's history in the cabinet.
	Events audit.Store
	// MFA, when set, adds second factors: the sign-in step and the cabinet's security page.
	MFA *mfa.Service
	// Recovery (with Settings, Deletion, EventLog) adds account care: recovery and /account.
	Recovery *recovery.Service
	Settings *settings.Service
	Deletion *deletion.Service
	EventLog audit.Searcher
	// Proofing, when set, adds the profile: personal data, documents and their registry checks.
	Proofing *proofing.Service
	// Letters, when set, adds identity confirmation by a code in a registered letter.
	Letters *letters.Service
	// Centers, when set, adds the directory of service centers at /centers.
	Centers *center.Service
	// Operator, Staff and StaffDesk (with MFA), when set, add the service-center workstation
	// at /operator and the activation page of citizens registered there (operator*.go).
	Operator  *operator.Service
	Staff     *staff.Service
	StaffDesk *staff.Desk

	views  map[string]*template.Template
	bundle *i18n.Bundle
	assets map[string]string
	static http.Handler
}

// maxForm bounds the size of a posted form.
const maxForm = 16 << 10

// Mount registers the pages on mux. It parses the embedded templates and catalogs and panics
// if they are broken, which the package tests rule out.
func (h *Handler) Mount(mux *http.ServeMux) {
	if err := h.load(); err != nil {
		panic("web: " + err.Error())
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.forbidden))
	routes := map[string]http.HandlerFunc{
		"GET /{$}":                     h.landing,
		"GET /register":                h.registerForm,
		"POST /register":               h.register,
		"GET /register/{id}":           h.codes,
		"POST /register/{id}/confirm":  h.confirm,
		"GET /register/{id}/confirm":   h.confirmLink,
		"POST /register/{id}/resend":   h.resend,
		"GET /register/{id}/password":  h.passwordForm,
		"POST /register/{id}/password": h.setPassword,
		"GET /login":                   h.loginForm,
		"POST /login":                  h.login,
		"POST /logout":                 h.logout,
		"GET /cabinet":                 h.cabinet,
		"POST /lang":                   h.setLang,
		"GET /static/":                 h.serveStatic,
	}
	if h.MFA != nil {
		maps.Copy(routes, h.signInRoutes())
	}
	if h.Recovery != nil {
		maps.Copy(routes, h.careRoutes())
	}
	if h.Proofing != nil {
		maps.Copy(routes, h.profileRoutes())
	}
	if h.Letters != nil {
		maps.Copy(routes, h.letterRoutes())
	}
	if h.Centers != nil {
		routes["GET /centers"] = h.centers
	}
	if h.Operator != nil && h.Staff != nil && h.StaffDesk != nil && h.MFA != nil {
		maps.Copy(routes, h.operatorRoutes())
	}
	if h.OIDC != nil {
		routes["GET "+oidc.PathLogin] = h.authorize
		routes["POST /oidc/consent"] = h.consent
		routes["POST /oidc/cancel"] = h.cancel
		routes["GET "+oidc.PathLoggedOut] = h.loggedOut
		routes["GET "+oidc.PathLogout] = h.logoutConfirm
		routes["POST "+oidc.PathLogout] = h.logoutConfirmed
		routes["POST /cabinet/sites/revoke"] = h.revokeSite
	}
	for pattern, fn := range routes {
		mux.Handle(pattern, cop.Handler(fn))
	}
}

// load parses what the pages need once.
func (h *Handler) load() error {
	views, err := parseTemplates()
	if err != nil {
		return err
	}
	if err := checkTemplates(views); err != nil {
		return err
	}
	bundle, err := newBundle()
	if err != nil {
		return err
	}
	assets, static, err := newStatic()
	if err != nil {
		return err
	}
	h.views, h.bundle, h.assets, h.static = views, bundle, assets, static
	return nil
}

func (h *Handler) log() *slog.Logger {
	if h.Logger == nil {
		return slog.Default()
	}
	return h.Logger
}

// meta describes the client for the flows.
func (h *Handler) meta(r *http.Request) flow.Meta {
	return flow.Meta{IP: httpx.ClientIP(r, h.TrustedProxies), UserAgent: r.UserAgent(), Locale: httpx.Locale(r)}
}

// parseForm reads a posted form of bounded size, answering 400 itself when it cannot.
func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "problem_bad_request")
		return false
	}
	return true
}

// seeOther redirects after a form post, so that reloading does not post again.
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}
