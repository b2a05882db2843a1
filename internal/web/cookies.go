package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/session"
)

// langCookieAge is how long the language choice is kept.
const langCookieAge = 365 * 24 * time.Hour

// sessionCookie is the name of the session cookie; with https it gets the __Host- prefix,
// which binds it to this host, path / and Secure.
func (h *Handler) sessionCookie() string {
	if h.Secure {
		return "__Host-civis_session"
	}
	return "civis_session"
}

// startSession gives the browser the cookie of a new session.
func (h *Handler) startSession(w http.ResponseWriter, s *flow.Signed) {
	http.SetCookie(w, &http.Cookie{
		Name: h.sessionCookie(), Value: s.Token, Path: "/", Expires: s.Session.ExpiresAt,
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// endSession removes the session cookie.
func (h *Handler) endSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: h.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// current returns the request's live session, or session.ErrInvalid when there is none.
func (h *Handler) current(r *http.Request) (*session.Session, error) {
	c, err := r.Cookie(h.sessionCookie())
	if err != nil {
		return nil, session.ErrInvalid
	}
	return h.Sessions.Authenticate(r.Context(), c.Value)
}

// signedIn reports whether the request carries a live session; a failure to check counts as
// not signed in, since the caller only picks where to send the browser.
func (h *Handler) signedIn(r *http.Request) bool {
	_, err := h.current(r)
	if err != nil && !errors.Is(err, session.ErrInvalid) {
		h.log().WarnContext(r.Context(), "check session", "err", err)
	}
	return err == nil
}

// setLangCookie remembers the chosen language.
func (h *Handler) setLangCookie(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{
		Name: "lang", Value: lang, Path: "/", MaxAge: int(langCookieAge.Seconds()),
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// BrowserSession returns the live Civis session of a browser request, or nil. The OpenID
// provider uses it to end the right session at RP-initiated logout.
func (h *Handler) BrowserSession(r *http.Request) *session.Session {
	s, err := h.current(r)
	if err != nil {
		return nil
	}
	return s
}
