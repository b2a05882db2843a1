package web

import (
	"net/http"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/mfa"
)

// stepUpData is the content of the step-up page: the password first, then (LoginID set) the
// code from the authenticator app.
type stepUpData struct {
	Center   string
	LoginID  string
	Password input
	Code     input
}

// opStepUpForm asks a staff member who signed in without the authenticator app to sign in
// again with it.
func (h *Handler) opStepUpForm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, true)
	if !ok {
		return
	}
	h.renderStepUp(w, r, http.StatusOK, h.newView(r, "title_op_step_up"), d, "")
}

func (h *Handler) renderStepUp(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk, loginID string) {
	pw := textInput(v, "password", "password", "current-password", 1024, false)
	pw.Label = v.T("label_password")
	code := textInput(v, "code", "text", "one-time-code", 10, false)
	code.Label, code.InputMode = v.T("op_label_totp_code"), "numeric"
	v.Data = stepUpData{Center: d.center, LoginID: loginID, Password: pw, Code: code}
	v.Next = "/operator/step-up"
	h.render(w, r, status, "operator_stepup", v)
}

// opStepUp checks the password through the ordinary sign-in, with the remembered device
// ignored, so that the authenticator app is asked.
func (h *Handler) opStepUp(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, true)
	if !ok || !h.parseForm(w, r) {
		return
	}
	v := h.newView(r, "title_op_step_up")
	in := flow.LoginInput{Login: loginOf(d.acc), Password: r.PostForm.Get("password"), PoW: powSolution(r)}
	res, err := h.Flows.Login(r.Context(), in, h.meta(r))
	if err != nil {
		if status, ok := h.explain(w, r, v, err, passwordID); ok {
			h.renderStepUp(w, r, status, v, d, "")
		}
		return
	}
	if res.Signed != nil { // no second factor after all: the gate will say so
		h.switchSession(w, r, d, res.Signed)
		return
	}
	h.renderStepUp(w, r, http.StatusOK, v, d, res.Pending.ID)
}

// opStepUpCode checks the code from the app and replaces the session with one that used it.
func (h *Handler) opStepUpCode(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, true)
	if !ok || !h.parseForm(w, r) {
		return
	}
	loginID := r.PostForm.Get("login_id")
	in := flow.SecondFactorInput{LoginID: loginID, Method: mfa.MethodTOTP, Code: r.PostForm.Get("code")}
	res, err := h.Flows.SecondFactor(r.Context(), in, h.meta(r))
	if err != nil {
		v := h.newView(r, "title_op_step_up")
		if p, known := httpx.ProblemFor(err); known && loginEnds[p.Code] {
			v.Alert = v.T("problem_" + p.Code)
			h.renderStepUp(w, r, p.Status, v, d, "")
			return
		}
		if status, ok := h.explain(w, r, v, err, codeID); ok {
			h.renderStepUp(w, r, status, v, d, loginID)
		}
		return
	}
	h.switchSession(w, r, d, res.Signed)
}

// switchSession replaces the desk's session by the new one of the same account, which dies
// with the browser (a workstation is a shared computer), and opens the workstation.
func (h *Handler) switchSession(w http.ResponseWriter, r *http.Request, d *desk, s *flow.Signed) {
	if s.Account.ID != d.acc.ID {
		h.notFound(w, r)
		return
	}
	if err := h.Sessions.Revoke(r.Context(), d.sess); err != nil {
		h.log().WarnContext(r.Context(), "end the session replaced by a step-up", "err", err)
	}
	h.startSignedIn(w, s, true)
	seeOther(w, r, "/operator")
}

// loginOf returns a login of the account for signing in again: its confirmed email or phone.
func loginOf(acc *account.Account) string {
	for _, k := range []account.ContactKind{account.Email, account.Phone} {
		if c, ok := acc.Contact(k); ok && c.Verified {
			return c.Value
		}
	}
	return ""
}

// passwordID puts errors about the password on its input and the rest in the alert.
func passwordID(field string) string {
	if field == "password" {
		return "password"
	}
	return ""
}
