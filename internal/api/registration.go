package api

import (
	"net/http"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
)

type registrationRequest struct {
	LastName   string `json:"last_name"`
	FirstName  string `json:"first_name"`
	MiddleName string `json:"middle_name"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
}

type registrationResponse struct {
	ID        string   `json:"id"`
	State     string   `json:"state"`
	ExpiresAt string   `json:"expires_at"`
	CodesSent []string `json:"codes_sent"`
	Confirmed []string `json:"confirmed"`
}

func registrationBody(reg *flow.Registration) registrationResponse {
	out := registrationResponse{ID: reg.ID, State: string(reg.State), ExpiresAt: rfc3339(reg.ExpiresAt),
		CodesSent: []string{}, Confirmed: []string{}}
	for _, c := range reg.Contacts {
		out.CodesSent = append(out.CodesSent, string(c.Kind))
		if c.Confirmed {
			out.Confirmed = append(out.Confirmed, string(c.Kind))
		}
	}
	return out
}

func (h *Handler) startRegistration(w http.ResponseWriter, r *http.Request) {
	var in registrationRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	reg, err := h.Flows.StartRegistration(r.Context(), flow.RegistrationInput(in), h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/registrations/"+reg.ID)
	httpx.WriteJSON(w, http.StatusCreated, registrationBody(reg))
}

func (h *Handler) getRegistration(w http.ResponseWriter, r *http.Request) {
	reg, err := h.Flows.GetRegistration(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, registrationBody(reg))
}

type confirmRequest struct {
	Channel string `json:"channel"`
	Code    string `json:"code"`
}

func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	var in confirmRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	reg, err := h.Flows.ConfirmContact(r.Context(), r.PathValue("id"), in.Channel, in.Code, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, registrationBody(reg))
}

type resendRequest struct {
	Channel string `json:"channel"`
}

func (h *Handler) resend(w http.ResponseWriter, r *http.Request) {
	var in resendRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	reg, err := h.Flows.ResendCode(r.Context(), r.PathValue("id"), in.Channel, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, registrationBody(reg))
}

type passwordRequest struct {
	Password string `json:"password"`
}

type passwordResponse struct {
	AccountID    string `json:"account_id"`
	Level        string `json:"level"`
	SessionToken string `json:"session_token"`
	ExpiresAt    string `json:"expires_at"`
}

func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request) {
	var in passwordRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	out, err := h.Flows.SetPassword(r.Context(), r.PathValue("id"), in.Password, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, passwordResponse{
		AccountID: out.Account.ID, Level: string(out.Account.Level), SessionToken: out.Token,
		ExpiresAt: rfc3339(h.Sessions.IdleExpiry(out.Session)),
	})
}
