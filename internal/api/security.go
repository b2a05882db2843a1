package api

import (
	"encoding/json"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/mfa"
	"github.com/civis-id/civis/internal/session"
)

// The citizen's second factors: reading them needs a session; changing them needs a sign-in
// made in the last minutes (reauth_required otherwise).

type passkeyBody struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
}

type secondFactorsResponse struct {
	Methods       []string      `json:"methods"`
	TOTP          bool          `json:"totp"`
	SMS           bool          `json:"sms"`
	Passkeys      []passkeyBody `json:"passkeys"`
	RecoveryCodes int           `json:"recovery_codes_left"`
	CanChange     bool          `json:"can_change"`
}

func (h *Handler) secondFactors(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	acc, err := h.Accounts.GetAccount(r.Context(), sess.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := h.MFA.Factors(r.Context(), acc.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	keys, err := h.MFA.Passkeys(r.Context(), acc.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	methods, _ := h.MFA.MethodsFor(r.Context(), acc)
	out := secondFactorsResponse{Methods: append([]string{}, methods...), TOTP: f.TOTP, SMS: f.SMS,
		Passkeys: []passkeyBody{}, RecoveryCodes: f.RecoveryCodes, CanChange: h.MFA.Fresh(sess)}
	for _, k := range keys {
		out.Passkeys = append(out.Passkeys, passkeyJSON(k))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func passkeyJSON(k *mfa.Passkey) passkeyBody {
	b := passkeyBody{ID: k.ID, Name: k.Name, CreatedAt: rfc3339(k.CreatedAt)}
	if !k.LastUsedAt.IsZero() {
		s := rfc3339(k.LastUsedAt)
		b.LastUsedAt = &s
	}
	return b
}

type totpSetupResponse struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauth_uri"`
	QR     string `json:"qr_png"`
}

func (h *Handler) beginTOTP(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	st, err := h.MFA.BeginTOTP(r.Context(), sess)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, totpSetupResponse{Secret: st.Secret, URI: st.URI, QR: st.QRDataURL})
}

type totpConfirmRequest struct {
	Code string `json:"code"`
}

func (h *Handler) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	var in totpConfirmRequest
	h.change(w, r, &in, func(sess *session.Session) error {
		return h.MFA.ConfirmTOTP(r.Context(), sess, in.Code, h.meta(r).IP)
	})
}

func (h *Handler) disableTOTP(w http.ResponseWriter, r *http.Request) {
	h.change(w, r, nil, func(sess *session.Session) error { return h.MFA.DisableTOTP(r.Context(), sess, h.meta(r).IP) })
}

func (h *Handler) enableSMS(w http.ResponseWriter, r *http.Request) {
	h.change(w, r, nil, func(sess *session.Session) error { return h.MFA.EnableSMS(r.Context(), sess, h.meta(r).IP) })
}

func (h *Handler) disableSMS(w http.ResponseWriter, r *http.Request) {
	h.change(w, r, nil, func(sess *session.Session) error { return h.MFA.DisableSMS(r.Context(), sess, h.meta(r).IP) })
}

func (h *Handler) removePasskey(w http.ResponseWriter, r *http.Request) {
	h.change(w, r, nil, func(sess *session.Session) error {
		return h.MFA.RemovePasskey(r.Context(), sess, r.PathValue("id"), h.meta(r).IP)
	})
}

// change runs a change that answers 204 for the bearer session, after decoding the body into
// in (when not nil).
func (h *Handler) change(w http.ResponseWriter, r *http.Request, in any, fn func(sess *session.Session) error) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if in != nil {
		if p := httpx.DecodeJSON(w, r, in); p != nil {
			httpx.WriteProblem(w, p)
			return
		}
	}
	if err := fn(sess); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type recoveryCodesResponse struct {
	Codes []string `json:"codes"`
}

func (h *Handler) newRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	codes, err := h.MFA.NewRecoveryCodes(r.Context(), sess, h.meta(r).IP)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, recoveryCodesResponse{Codes: codes})
}

type passkeyRegisterBeginResponse struct {
	CeremonyID string                       `json:"ceremony_id"`
	Options    *protocol.CredentialCreation `json:"options"`
}

func (h *Handler) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	id, opts, err := h.MFA.BeginPasskeyRegistration(r.Context(), sess)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, passkeyRegisterBeginResponse{CeremonyID: id, Options: opts})
}

type passkeyRegisterFinishRequest struct {
	CeremonyID string          `json:"ceremony_id"`
	Name       string          `json:"name,omitempty"`
	Credential json.RawMessage `json:"credential"`
}

func (h *Handler) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request) {
	var in passkeyRegisterFinishRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	k, err := h.MFA.FinishPasskeyRegistration(r.Context(), sess, in.CeremonyID, in.Name, in.Credential, h.meta(r).IP)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, passkeyJSON(k))
}
