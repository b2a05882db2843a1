package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/oidc"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
)

// loginData is the content of the sign-in page.
type loginData struct {
	AuthRequest string // the authorization to go on with after signing in, when a site sent the citizen
	Site        string
	Public      bool           // "this is not my computer" was ticked
	PoW         *pow.Challenge // the proof of work the page's script must solve before signing in
	Passkeys    bool           // offer signing in with a passkey
	// ChangePassword: the password typed is temporary (a service center issued it); the form
	// asks for it again with a new one.
	ChangePassword bool
}

// loginForm shows the sign-in form; a signed-in citizen goes to the cabinet. When a site
// sent the citizen (auth_request), the form is shown even to a signed-in citizen: the site
// asked for a fresh sign-in (prompt=login, max_age).
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if id := r.URL.Query().Get("auth_request"); id != "" {
		if v, ok := h.authLoginView(w, r, id); ok {
			h.render(w, r, http.StatusOK, "login", v)
		}
		return
	}
	if h.signedIn(r) {
		seeOther(w, r, "/cabinet")
		return
	}
	v := h.newView(r, "title_login")
	v.Data = loginData{Passkeys: h.passkeysOn()}
	h.render(w, r, http.StatusOK, "login", v)
}

// authLoginView starts the sign-in page for authorization id, naming the site and filling in
// the site's login_hint. When the authorization cannot go on, or needs no sign-in, it answers
// by itself and ok is false.
func (h *Handler) authLoginView(w http.ResponseWriter, r *http.Request, id string) (v *view, ok bool) {
	if h.OIDC == nil || !validAuthID(id) {
		h.unknownRequest(w, r)
		return nil, false
	}
	st, err := h.OIDC.Next(r.Context(), id, nil)
	if err != nil || st.Kind != oidc.StepLogin {
		h.act(w, r, id, st, err)
		return nil, false
	}
	v = h.stepView(w, r, id, st, "title_login")
	v.Next = loginPath(id)
	v.Data = loginData{AuthRequest: id, Site: clientName(st), Passkeys: h.passkeysOn()}
	v.Form = url.Values{"login": {st.LoginHint}}
	return v, true
}

// login signs in with a phone, email or SNILS and a password. A wrong password and an unknown
// login get the same page with the same status. An account with a second factor goes on to
// its page; after signing in for a site the browser goes on with its authorization.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	login, authID, public := f.Get("login"), f.Get("auth_request"), f.Get("public") != ""
	in := flow.LoginInput{Login: login, Password: f.Get("password"), DeviceToken: deviceToken(r),
		NewPassword: f.Get("new_password")}
	in.PoW = powSolution(r)
	if public || h.siteWantsMFA(r.Context(), authID) {
		in.DeviceToken = "" // a shared computer is never remembered; a site may want two factors
	}
	res, err := h.Flows.Login(r.Context(), in, h.meta(r))
	if err != nil {
		h.loginFailed(w, r, login, authID, public, err)
		return
	}
	if res.Pending != nil {
		seeOther(w, r, secondFactorPath(res.Pending.ID, authID, public))
		return
	}
	h.startSignedIn(w, res.Signed, public)
	afterSignIn(w, r, authID)
}

// loginFailed shows the sign-in form again with the error; a proof of work asked for goes to
// the page's script.
func (h *Handler) loginFailed(w http.ResponseWriter, r *http.Request, login, authID string, public bool, err error) {
	v := h.newView(r, "title_login")
	d := loginData{Passkeys: h.passkeysOn()}
	if authID != "" {
		var ok bool
		if v, ok = h.authLoginView(w, r, authID); !ok {
			return
		}
		d, _ = v.Data.(loginData)
	}
	v.Next, v.Form = "/login", url.Values{"login": {login}}
	if authID != "" {
		v.Next = loginPath(authID)
	}
	d.Public = public
	d.ChangePassword = errors.Is(err, flow.ErrPasswordChangeFirst) || r.PostForm.Get("new_password") != ""
	var fe *flow.Error
	if errors.As(err, &fe) && fe.PoW != nil {
		d.PoW = fe.PoW
	}
	v.Data = d
	h.fail(w, r, "login", v, err, loginIDs)
}

// loginIDs are the inputs of the sign-in form; errors about anything else (a passkey's
// answer) go to the alert.
func loginIDs(field string) string {
	if field == "login" || field == "password" || field == "new_password" {
		return field
	}
	return ""
}

// logout ends the session and clears its cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := h.current(r)
	if err == nil {
		err = h.Sessions.Revoke(r.Context(), sess)
	}
	if err != nil && !errors.Is(err, session.ErrInvalid) {
		h.internal(w, r, err)
		return
	}
	h.endSession(w)
	seeOther(w, r, "/")
}
