package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/oidc"
)

// deviceCookie keeps the token of a remembered device: the browser that passed the second
// factor skips it until the token expires.
const deviceCookie = "civis_device"

// signInRoutes are the pages of second factors and passkeys.
func (h *Handler) signInRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /login/{id}":                 h.secondFactorForm,
		"POST /login/{id}":                h.secondFactorSubmit,
		"POST /login/{id}/sms":            h.secondFactorSMS,
		"POST /login/passkey":             h.passkeyLogin,
		"GET /cabinet/security":           h.security,
		"POST /cabinet/security/{action}": h.securityAction,
	}
}

// siteWantsMFA reports whether the site's authorization asks for an authentication level a
// remembered device cannot give (aal 2 or more): the second factor is then asked even on a
// remembered device, so that the site gets what it asked for.
func (h *Handler) siteWantsMFA(ctx context.Context, authID string) bool {
	if h.OIDC == nil || !validAuthID(authID) {
		return false
	}
	r, err := h.OIDC.Grants.GetAuthRequest(ctx, authID)
	if err != nil {
		return false
	}
	c, err := h.OIDC.Clients.Get(ctx, r.ClientID)
	if err != nil {
		return false
	}
	req := oidc.Require(c, r.ACRValues, r.ClaimsACR)
	return req.MinAAL != "" && req.MinAAL != oidc.AAL1
}

// passkeysOn reports whether the pages offer passkeys.
func (h *Handler) passkeysOn() bool { return h.MFA != nil && h.MFA.PasskeysOn() }

// startSignedIn gives the browser the session cookie. On a shared computer ("this is not my
// computer") it is a browser-session cookie, gone when the browser closes; otherwise it lasts
// as long as the session.
func (h *Handler) startSignedIn(w http.ResponseWriter, s *flow.Signed, public bool) {
	c := &http.Cookie{Name: h.sessionCookie(), Value: s.Token, Path: "/", Expires: s.Session.ExpiresAt,
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode}
	if public {
		c.Expires = time.Time{}
	}
	http.SetCookie(w, c)
}

// rememberDevice gives the browser the remembered device's token, kept as long as the device
// is remembered (the token was issued just now for that long).
func (h *Handler) rememberDevice(w http.ResponseWriter, token string) {
	if token == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: token, Path: "/", MaxAge: int(h.MFA.Config.DeviceTTL.Seconds()),
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode})
}

// deviceToken is the remembered device's token the browser sent, if any.
func deviceToken(r *http.Request) string {
	if c, err := r.Cookie(deviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// afterSignIn sends the browser on: to the site's authorization, or to the cabinet.
func afterSignIn(w http.ResponseWriter, r *http.Request, authID string) {
	if authID != "" && validAuthID(authID) {
		seeOther(w, r, authPath(authID))
		return
	}
	seeOther(w, r, "/cabinet")
}

// secondFactorPath is the second-factor page of a sign-in, carrying the site's authorization
// and the shared-computer choice.
func secondFactorPath(loginID, authID string, public bool) string {
	q := url.Values{}
	if authID != "" {
		q.Set("auth_request", authID)
	}
	if public {
		q.Set("public", "1")
	}
	p := "/login/" + url.PathEscape(loginID)
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}
