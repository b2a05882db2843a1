package api

import (
	"encoding/json"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/pow"
)

// pendingLoginResponse is a sign-in waiting for its second factor (202).
type pendingLoginResponse struct {
	LoginID      string   `json:"login_id"`
	SecondFactor []string `json:"second_factor"`
	ExpiresAt    string   `json:"expires_at"`
}

type secondFactorRequest struct {
	Method         string          `json:"method"`
	Code           string          `json:"code,omitempty"`
	Credential     json.RawMessage `json:"credential,omitempty"`
	RememberDevice bool            `json:"remember_device,omitempty"`
}

// secondFactorResponse is a session, with the remembered device's token when asked.
type secondFactorResponse struct {
	SessionToken    string `json:"session_token"`
	AccountID       string `json:"account_id"`
	ExpiresAt       string `json:"expires_at"`
	DeviceToken     string `json:"device_token,omitempty"`
	DeviceExpiresAt string `json:"device_expires_at,omitempty"`
}

func (h *Handler) secondFactor(w http.ResponseWriter, r *http.Request) {
	var in secondFactorRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	out, err := h.Flows.SecondFactor(r.Context(), flow.SecondFactorInput{LoginID: r.PathValue("id"), Method: in.Method,
		Code: in.Code, Credential: in.Credential, Remember: in.RememberDevice}, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	s := h.sessionBody(out.Signed)
	body := secondFactorResponse{SessionToken: s.SessionToken, AccountID: s.AccountID, ExpiresAt: s.ExpiresAt,
		DeviceToken: out.DeviceToken}
	if out.DeviceToken != "" {
		body.DeviceExpiresAt = rfc3339(out.DeviceExpiresAt)
	}
	httpx.WriteJSON(w, http.StatusCreated, body)
}

type smsSentResponse struct {
	SentTo string `json:"sent_to"`
}

func (h *Handler) sendLoginCode(w http.ResponseWriter, r *http.Request) {
	phone, err := h.Flows.SendLoginCode(r.Context(), r.PathValue("id"), h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, smsSentResponse{SentTo: ident.MaskPhone(phone)})
}

type passkeyOptionsResponse struct {
	Options *protocol.CredentialAssertion `json:"options"`
}

func (h *Handler) loginPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	opts, err := h.Flows.PasskeyChallenge(r.Context(), r.PathValue("id"), h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, passkeyOptionsResponse{Options: opts})
}

type passkeyLoginBeginResponse struct {
	LoginID   string                        `json:"login_id"`
	Options   *protocol.CredentialAssertion `json:"options"`
	ExpiresAt string                        `json:"expires_at"`
}

func (h *Handler) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	st, err := h.Flows.BeginPasskeyLogin(r.Context(), h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, passkeyLoginBeginResponse{LoginID: st.ID, Options: st.Options, ExpiresAt: rfc3339(st.ExpiresAt)})
}

type passkeyLoginFinishRequest struct {
	LoginID    string          `json:"login_id"`
	Credential json.RawMessage `json:"credential"`
}

func (h *Handler) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) {
	var in passkeyLoginFinishRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	signed, err := h.Flows.PasskeyLogin(r.Context(), in.LoginID, in.Credential, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, h.sessionBody(signed))
}

type reauthRequest struct {
	Password string        `json:"password"`
	PoW      *pow.Solution `json:"pow,omitempty"`
}

type reauthResponse struct {
	AuthTime string `json:"auth_time"`
}

func (h *Handler) reauth(w http.ResponseWriter, r *http.Request) {
	var in reauthRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	if err := h.Flows.Reauthenticate(r.Context(), sess, in.Password, in.PoW, h.meta(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, reauthResponse{AuthTime: rfc3339(sess.AuthTime)})
}
