package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/session"
)

// loggedOutData is the content of the page after signing out through a site.
type loggedOutData struct {
	Frames []string // front-channel logout URIs of the sites the session was used with
	Next   string   // where to continue: the site's post-logout URI, when signed
}

// loggedOut tells the citizen they have signed out of Civis and of the sites, loads the
// sites' front-channel logout pages in hidden frames, and offers to continue to the site
// that asked for the logout. Its parameters are signed by the provider: with a wrong
// signature neither the frames nor the continuation are used, so the page cannot send
// browsers elsewhere or sign anyone out of a site.
func (h *Handler) loggedOut(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sid, next := q.Get("sid"), q.Get("next")
	var d loggedOutData
	if sid != "" && h.OIDC.VerifyLoggedOut(sid, next, q.Get("sig")) {
		d.Frames = h.OIDC.FrontchannelURIs(r.Context(), sid)
		if external(r, next) {
			d.Next = next
		}
	}
	extendCSP(w, "frame-src", origins(d.Frames...))
	if _, err := h.current(r); errors.Is(err, session.ErrInvalid) {
		h.endSessionIfSent(w, r)
	}
	v := h.newView(r, "title_logged_out")
	v.Data = d
	h.render(w, r, http.StatusOK, "logged_out", v)
}

// external reports whether next is an http(s) URL other than this very page, which the
// provider uses as the continuation when the site gave none.
func external(r *http.Request, next string) bool {
	u, err := url.Parse(next)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return !(u.Host == r.Host && u.Path == oidc.PathLoggedOut)
}

// logoutConfirmData carries the signed continuation through the confirmation form.
type logoutConfirmData struct {
	Next, Sig string
	SignedIn  bool
}

// logoutConfirm asks the citizen whether to sign out, when a site asked for a logout without
// proving which sign-in it meant (no id_token_hint).
func (h *Handler) logoutConfirm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	_, err := h.current(r)
	v := h.newView(r, "title_logout_confirm")
	v.Data = logoutConfirmData{Next: q.Get("next"), Sig: q.Get("sig"), SignedIn: err == nil}
	h.render(w, r, http.StatusOK, "logout_confirm", v)
}

// logoutConfirmed ends the browser's session and continues to the logged-out page.
func (h *Handler) logoutConfirmed(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, err := h.current(r)
	if err != nil {
		sess = nil
	}
	next, err := h.OIDC.ConfirmLogout(r.Context(), sess, r.PostForm.Get("next"), r.PostForm.Get("sig"))
	if err != nil {
		h.internal(w, r, err)
		return
	}
	h.endSession(w)
	http.Redirect(w, r, next, http.StatusSeeOther)
}
