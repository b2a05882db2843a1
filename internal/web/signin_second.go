package web

import (
	"net/http"
	"slices"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/mfa"
)

// secondFactorData is the content of the second-factor page of a sign-in.
type secondFactorData struct {
	LoginID     string
	AuthRequest string
	Public      bool
	Choices     []methodChoice // the methods that take a typed code
	Passkey     bool           // offer the passkey button
	SMS         bool           // offer sending a code by SMS
	CanRemember bool
	Remember    bool
	RememberFor int // days
	Code        input
}

// methodChoice is one radio button of the methods that take a code.
type methodChoice struct {
	Value, Label string
	Checked      bool
}

// loginEnds are sign-in errors after which the second-factor page cannot be used again.
var loginEnds = map[string]bool{"login_not_found": true, "login_expired": true, "login_attempts_exceeded": true}

// sfPage is what the second-factor page shows besides the sign-in itself.
type sfPage struct {
	authID   string
	public   bool
	method   string // the method to preselect
	remember bool
	notice   func(v *view) string
	err      error
}

// secondFactorForm shows the second-factor step of a sign-in.
func (h *Handler) secondFactorForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.showSecondFactor(w, r, sfPage{authID: q.Get("auth_request"), public: q.Get("public") != ""})
}

// secondFactorSubmit checks the factor and signs in.
func (h *Handler) secondFactorSubmit(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	p := sfPage{authID: f.Get("auth_request"), public: f.Get("public") != "", method: f.Get("method"),
		remember: f.Get("remember") != ""}
	in := flow.SecondFactorInput{LoginID: r.PathValue("id"), Method: p.method, Code: f.Get("code"),
		Credential: []byte(f.Get("credential")), Remember: p.remember && !p.public}
	res, err := h.Flows.SecondFactor(r.Context(), in, h.meta(r))
	if err != nil {
		p.err = err
		h.showSecondFactor(w, r, p)
		return
	}
	h.startSignedIn(w, res.Signed, p.public)
	h.rememberDevice(w, res.DeviceToken)
	afterSignIn(w, r, p.authID)
}

// secondFactorSMS sends a sign-in code by SMS.
func (h *Handler) secondFactorSMS(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	p := sfPage{authID: f.Get("auth_request"), public: f.Get("public") != "", method: mfa.MethodSMS}
	phone, err := h.Flows.SendLoginCode(r.Context(), r.PathValue("id"), h.meta(r))
	if err != nil {
		p.err = err
	} else {
		p.notice = func(v *view) string { return v.T("notice_login_code_sent", "Phone", maskPhone(phone)) }
	}
	h.showSecondFactor(w, r, p)
}

// showSecondFactor renders the page, with p.err on it; a sign-in that cannot go on gets the
// error page with a link to sign in again.
func (h *Handler) showSecondFactor(w http.ResponseWriter, r *http.Request, p sfPage) {
	if p.err != nil {
		if pr, known := httpx.ProblemFor(p.err); known && loginEnds[pr.Code] {
			h.loginGone(w, r, pr, p.authID)
			return
		}
	}
	l, err := h.Flows.GetLogin(r.Context(), r.PathValue("id"))
	if err != nil {
		pr, known := httpx.ProblemFor(err)
		if !known {
			h.internal(w, r, err)
			return
		}
		h.loginGone(w, r, pr, p.authID)
		return
	}
	v := h.newView(r, "title_second_factor")
	status := http.StatusOK
	if p.err != nil {
		var ok bool
		if status, ok = h.explain(w, r, v, p.err, codeID); !ok {
			return
		}
	}
	if p.notice != nil {
		v.Notice = p.notice(v)
	}
	v.Next = secondFactorPath(l.ID, p.authID, p.public)
	v.Data = h.secondFactorView(v, l, p)
	h.render(w, r, status, "second_factor", v)
}

// codeID puts errors about the code on the code input and the rest in the alert.
func codeID(field string) string {
	if field == "code" {
		return "code"
	}
	return ""
}

// loginGone shows why the sign-in cannot go on, with a link to start again.
func (h *Handler) loginGone(w http.ResponseWriter, r *http.Request, p *httpx.Problem, authID string) {
	again := "/login"
	if authID != "" && validAuthID(authID) {
		again = loginPath(authID)
	}
	h.errorPage(w, r, p.Status, "problem_"+p.Code, link{again, "link_login_again"})
}

func (h *Handler) secondFactorView(v *view, l *flow.LoginFlow, p sfPage) secondFactorData {
	d := secondFactorData{LoginID: l.ID, AuthRequest: p.authID, Public: p.public,
		Passkey: slices.Contains(l.Methods, mfa.MethodPasskey), SMS: slices.Contains(l.Methods, mfa.MethodSMS),
		CanRemember: !p.public && h.MFA.Config.DeviceTTL > 0, Remember: p.remember,
		RememberFor: int(h.MFA.Config.DeviceTTL.Hours() / 24)}
	for _, m := range l.Methods {
		if m != mfa.MethodPasskey {
			d.Choices = append(d.Choices, methodChoice{Value: m, Label: v.T("factor_" + m), Checked: m == p.method})
		}
	}
	if len(d.Choices) > 0 && !slices.ContainsFunc(d.Choices, func(c methodChoice) bool { return c.Checked }) {
		d.Choices[0].Checked = true
	}
	d.Code = input{ID: "code", Name: "code", Type: "text", Autocomplete: "one-time-code", MaxLen: 16, Required: true,
		Label: v.T("label_second_factor_code"), Hint: v.T("hint_second_factor_code"), Errors: v.Errs("code")}
	return d
}

// passkeyLogin signs in with a passkey alone: the page's script posts the browser's answer.
func (h *Handler) passkeyLogin(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	authID, public := f.Get("auth_request"), f.Get("public") != ""
	signed, err := h.Flows.PasskeyLogin(r.Context(), f.Get("login_id"), []byte(f.Get("credential")), h.meta(r))
	if err != nil {
		h.loginFailed(w, r, "", authID, public, err)
		return
	}
	h.startSignedIn(w, signed, public)
	afterSignIn(w, r, authID)
}
