package web

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
)

// securityData is the content of the cabinet's security page: second factors, passkeys and
// recovery codes. Changing them needs a recent sign-in (Fresh); otherwise the page asks for
// the password first.
type securityData struct {
	Fresh        bool
	PasskeysOn   bool
	Password     input
	PoW          *pow.Challenge
	HasFactor    bool
	TOTP         bool
	Setup        *totpSetupView // a setup begun, to finish with a code from the app
	TOTPCode     input
	SMS          bool
	Phone        string // the confirmed phone, masked; "" without one
	Passkeys     []passkeyRow
	PasskeyName  input
	RecoveryLeft int
	NewCodes     []string // just created: shown this once
}

type totpSetupView struct {
	Secret string
	QR     template.URL // a data: URL, which the CSP allows for images
}

type passkeyRow struct {
	ID, Name string
	Created  stamp
	Used     *stamp
}

// securityNotices are the confirmations shown after a change (?done=...).
var securityNotices = map[string]string{
	"reauth": "notice_reauth", "totp_enabled": "notice_totp_enabled", "totp_disabled": "notice_totp_disabled",
	"sms_enabled": "notice_sms_enabled", "sms_disabled": "notice_sms_disabled",
	"passkey_added": "notice_passkey_added", "passkey_removed": "notice_passkey_removed",
}

// securityIDs maps the domain's fields to the page's inputs.
func securityIDs(field string) string {
	return map[string]string{"password": "password", "code": "totp-code", "name": "passkey-name"}[field]
}

// security shows the security page.
func (h *Handler) security(w http.ResponseWriter, r *http.Request) {
	sess, acc, ok := h.cabinetSession(w, r)
	if !ok {
		return
	}
	v := h.newView(r, "title_security")
	if id := securityNotices[r.URL.Query().Get("done")]; id != "" {
		v.Notice = v.T(id)
	}
	h.renderSecurity(w, r, v, http.StatusOK, sess, acc, nil)
}

// cabinetSession returns the signed-in citizen, or sends the browser to sign in.
func (h *Handler) cabinetSession(w http.ResponseWriter, r *http.Request) (*session.Session, *account.Account, bool) {
	sess, err := h.current(r)
	if errors.Is(err, session.ErrInvalid) {
		h.endSessionIfSent(w, r)
		seeOther(w, r, "/login")
		return nil, nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, nil, false
	}
	acc, err := h.Accounts.GetAccount(r.Context(), sess.AccountID)
	if err != nil || acc.State != account.Active {
		h.endSession(w)
		seeOther(w, r, "/login")
		return nil, nil, false
	}
	return sess, acc, true
}

// renderSecurity renders the page; edit, when set, adds what an action produced.
func (h *Handler) renderSecurity(w http.ResponseWriter, r *http.Request, v *view, status int, sess *session.Session,
	acc *account.Account, edit func(d *securityData)) {
	d, err := h.securityView(r, v, sess, acc)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if edit != nil {
		edit(&d)
	}
	v.Data = d
	h.render(w, r, status, "security", v)
}

func (h *Handler) securityView(r *http.Request, v *view, sess *session.Session, acc *account.Account) (securityData, error) {
	ctx := r.Context()
	f, err := h.MFA.Factors(ctx, acc.ID)
	if err != nil {
		return securityData{}, err
	}
	d := securityData{Fresh: h.MFA.Fresh(sess), PasskeysOn: h.MFA.PasskeysOn(), TOTP: f.TOTP, SMS: f.SMS, RecoveryLeft: f.RecoveryCodes,
		HasFactor: len(f.Methods(true)) > 0}
	if c, ok := acc.Contact(account.Phone); ok && c.Verified {
		d.Phone = maskPhone(c.Value)
	}
	if st, err := h.MFA.PendingTOTP(ctx, acc.ID); err == nil {
		d.Setup = &totpSetupView{Secret: st.Secret, QR: template.URL(st.QRDataURL)}
	} else if !errors.Is(err, mfa.ErrTOTPNotStarted) {
		return d, err
	}
	keys, err := h.MFA.Passkeys(ctx, acc.ID)
	if err != nil {
		return d, err
	}
	for _, k := range keys {
		row := passkeyRow{ID: k.ID, Name: k.Name, Created: v.stamp(k.CreatedAt)}
		if !k.LastUsedAt.IsZero() {
			u := v.stamp(k.LastUsedAt)
			row.Used = &u
		}
		d.Passkeys = append(d.Passkeys, row)
	}
	d.Password = input{ID: "password", Name: "password", Type: "password", Autocomplete: "current-password",
		MaxLen: 1024, Required: true, Label: v.T("label_password"), Errors: v.Errs("password")}
	d.TOTPCode = input{ID: "totp-code", Name: "code", Type: "text", Autocomplete: "one-time-code", InputMode: "numeric",
		MaxLen: 6, Required: true, Label: v.T("label_totp_code"), Errors: v.Errs("totp-code")}
	d.PasskeyName = input{ID: "passkey-name", Name: "name", Type: "text", MaxLen: 64, Label: v.T("label_passkey_name"),
		Hint: v.T("hint_passkey_name"), Optional: v.T("optional"), Value: v.Val("name"), Errors: v.Errs("passkey-name")}
	return d, nil
}

// securityAction runs one change of the security page.
func (h *Handler) securityAction(w http.ResponseWriter, r *http.Request) {
	sess, acc, ok := h.cabinetSession(w, r)
	if !ok {
		return
	}
	action := r.PathValue("action")
	if action == "passkey-options" {
		h.passkeyOptions(w, r, sess)
		return
	}
	if !h.parseForm(w, r) {
		return
	}
	run, known := h.securityActions()[action]
	if !known {
		h.errorPage(w, r, http.StatusNotFound, "problem_not_found")
		return
	}
	edit, done, err := run(r, sess)
	if err != nil {
		h.securityFailed(w, r, sess, acc, err)
		return
	}
	if done != "" {
		seeOther(w, r, "/cabinet/security?done="+done)
		return
	}
	h.renderSecurity(w, r, h.newView(r, "title_security"), http.StatusOK, sess, acc, edit)
}

// securityStep runs an action: it either redirects with a notice (done) or shows the page
// with what it produced (edit).
type securityStep func(r *http.Request, sess *session.Session) (edit func(d *securityData), done string, err error)

func (h *Handler) securityActions() map[string]securityStep {
	ip := func(r *http.Request) string { return h.meta(r).IP }
	simple := func(done string, fn func(r *http.Request, sess *session.Session) error) securityStep {
		return func(r *http.Request, sess *session.Session) (func(*securityData), string, error) {
			return nil, done, fn(r, sess)
		}
	}
	return map[string]securityStep{
		"reauth": simple("reauth", func(r *http.Request, sess *session.Session) error {
			return h.Flows.Reauthenticate(r.Context(), sess, r.PostForm.Get("password"), powSolution(r), h.meta(r))
		}),
		"totp-begin": func(r *http.Request, sess *session.Session) (func(*securityData), string, error) {
			_, err := h.MFA.BeginTOTP(r.Context(), sess)
			return nil, "", err
		},
		"totp-confirm": simple("totp_enabled", func(r *http.Request, sess *session.Session) error {
			return h.MFA.ConfirmTOTP(r.Context(), sess, r.PostForm.Get("code"), ip(r))
		}),
		"totp-disable": simple("totp_disabled", func(r *http.Request, sess *session.Session) error {
			return h.MFA.DisableTOTP(r.Context(), sess, ip(r))
		}),
		"sms-enable": simple("sms_enabled", func(r *http.Request, sess *session.Session) error {
			return h.MFA.EnableSMS(r.Context(), sess, ip(r))
		}),
		"sms-disable": simple("sms_disabled", func(r *http.Request, sess *session.Session) error {
			return h.MFA.DisableSMS(r.Context(), sess, ip(r))
		}),
		"recovery-codes": func(r *http.Request, sess *session.Session) (func(*securityData), string, error) {
			codes, err := h.MFA.NewRecoveryCodes(r.Context(), sess, ip(r))
			return func(d *securityData) { d.NewCodes, d.RecoveryLeft = codes, len(codes) }, "", err
		},
		"passkey-add": simple("passkey_added", func(r *http.Request, sess *session.Session) error {
			f := r.PostForm
			_, err := h.MFA.FinishPasskeyRegistration(r.Context(), sess, f.Get("ceremony_id"), f.Get("name"),
				[]byte(f.Get("credential")), ip(r))
			return err
		}),
		"passkey-remove": simple("passkey_removed", func(r *http.Request, sess *session.Session) error {
			return h.MFA.RemovePasskey(r.Context(), sess, r.PostForm.Get("id"), ip(r))
		}),
	}
}

// securityFailed shows the page with the error; a proof of work asked for goes to the
// password form's script.
func (h *Handler) securityFailed(w http.ResponseWriter, r *http.Request, sess *session.Session, acc *account.Account, err error) {
	v := h.newView(r, "title_security")
	v.Form = r.PostForm
	status, ok := h.explain(w, r, v, err, securityIDs)
	if !ok {
		return
	}
	var fe *flow.Error
	h.renderSecurity(w, r, v, status, sess, acc, func(d *securityData) {
		if errors.As(err, &fe) && fe.PoW != nil {
			d.PoW = fe.PoW
		}
	})
}

func powSolution(r *http.Request) *pow.Solution {
	c, n := r.PostForm.Get("pow_challenge"), r.PostForm.Get("pow_nonce")
	if c == "" || n == "" {
		return nil
	}
	return &pow.Solution{Challenge: c, Nonce: n}
}

type passkeyOptionsBody struct {
	CeremonyID string                       `json:"ceremony_id"`
	Options    *protocol.CredentialCreation `json:"options"`
}

// passkeyOptions answers the page's script with the options for creating a passkey.
func (h *Handler) passkeyOptions(w http.ResponseWriter, r *http.Request, sess *session.Session) {
	id, opts, err := h.MFA.BeginPasskeyRegistration(r.Context(), sess)
	if err != nil {
		httpx.WriteError(w, r, h.log(), err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, passkeyOptionsBody{CeremonyID: id, Options: opts})
}
