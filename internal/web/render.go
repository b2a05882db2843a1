package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/civis-id/civis/internal/httpx"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the page templates; each is parsed with the layout and the shared partials.
var pages = []string{"landing", "register", "codes", "confirm_link", "password", "login", "cabinet", "error",
	"consent", "refuse", "logged_out", "logout_confirm", "second_factor", "security",
	"recover", "recover_step", "recover_password", "recover_done", "recover_center", // account care
	"account", "account_password", "account_contact", "account_events", "account_delete", "account_deleted",
	"profile", "letters",
	"centers",
	"operator", "operator_found", "operator_register", "operator_restore", "operator_duplicate", // workstation
	"operator_done", "operator_totp", "operator_stepup", "operator_staff", "activate"}

// parseTemplates parses every page once.
func parseTemplates() (map[string]*template.Template, error) {
	out := make(map[string]*template.Template, len(pages))
	for _, name := range pages {
		t, err := template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// newView starts the view of a page titled by the message titleID, in the request's language.
func (h *Handler) newView(r *http.Request, titleID string) *view {
	return h.newViewIn(r, httpx.Locale(r), titleID)
}

// newViewIn starts the view of a page in lang, titled by the message titleID with the
// template data kv.
func (h *Handler) newViewIn(r *http.Request, lang, titleID string, kv ...any) *view {
	v := &view{
		translator: translator{loc: i18n.NewLocalizer(h.bundle, lang)},
		Lang:       lang,
		Dev:        h.Dev,
		assets:     h.assets,
	}
	v.Title = v.T(titleID, kv...)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		v.Next = r.URL.RequestURI()
	}
	return v
}

// render writes the page name with status. The page is rendered into a buffer first, so a
// template error sends a plain 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	if v.Next == "" {
		v.Next = "/"
	}
	var buf bytes.Buffer
	if err := h.views[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log().ErrorContext(r.Context(), "render page", "request_id", httpx.RequestID(r.Context()),
			"page", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", v.Lang)
	hd.Set("Cache-Control", "no-store")
	hd.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// checkTemplates fails when a page template lacks the blocks the layout needs.
func checkTemplates(views map[string]*template.Template) error {
	for name, t := range views {
		if t.Lookup("content") == nil {
			return fmt.Errorf("page %s defines no content", name)
		}
	}
	return nil
}
