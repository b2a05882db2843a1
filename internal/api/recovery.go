package api

import (
	"context"
	"net/http"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/recovery"
)

type recoveryRequest struct {
	Kind  string        `json:"kind"`
	Value string        `json:"value"`
	PoW   *pow.Solution `json:"pow,omitempty"`
}

// recoveryResponse is a recovery flow. Question and Identifiers are shown only in their step,
// after the code was right: before that the answer never depends on the account.
type recoveryResponse struct {
	ID          string   `json:"id"`
	State       string   `json:"state"`
	ExpiresAt   string   `json:"expires_at"`
	Question    string   `json:"question,omitempty"`
	Identifiers []string `json:"identifiers,omitempty"`
}

type recoveryResendRequest struct{}

type recoveryCodeRequest struct {
	Code string `json:"code"`
}

type recoveryIdentifierRequest struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type recoveryAnswerRequest struct {
	Answer string `json:"answer"`
}

func (h *Handler) recoveryBody(ctx context.Context, r *recovery.Recovery) (recoveryResponse, error) {
	out := recoveryResponse{ID: r.ID, State: string(r.State), ExpiresAt: rfc3339(r.ExpiresAt)}
	var err error
	switch r.State {
	case recovery.AwaitingAnswer:
		out.Question, err = h.Recovery.Question(ctx, r)
	case recovery.AwaitingIdentifier:
		var kinds []recovery.Kind
		kinds, err = h.Recovery.Accepted(ctx, r)
		for _, k := range kinds {
			out.Identifiers = append(out.Identifiers, string(k))
		}
	}
	return out, err
}

// writeRecovery answers with the flow (status) or with err.
func (h *Handler) writeRecovery(w http.ResponseWriter, r *http.Request, status int, rec *recovery.Recovery, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := h.recoveryBody(r.Context(), rec)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/recoveries/"+rec.ID)
	}
	httpx.WriteJSON(w, status, body)
}

func (h *Handler) startRecovery(w http.ResponseWriter, r *http.Request) {
	var in recoveryRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	rec, err := h.Recovery.Start(r.Context(), recovery.StartInput{Kind: in.Kind, Value: in.Value, PoW: in.PoW}, h.meta(r))
	h.writeRecovery(w, r, http.StatusCreated, rec, err)
}

func (h *Handler) getRecovery(w http.ResponseWriter, r *http.Request) {
	rec, err := h.Recovery.Get(r.Context(), r.PathValue("id"))
	h.writeRecovery(w, r, http.StatusOK, rec, err)
}

func (h *Handler) resendRecovery(w http.ResponseWriter, r *http.Request) {
	var in recoveryResendRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	rec, err := h.Recovery.Resend(r.Context(), r.PathValue("id"), h.meta(r))
	h.writeRecovery(w, r, http.StatusOK, rec, err)
}

func (h *Handler) confirmRecovery(w http.ResponseWriter, r *http.Request) {
	var in recoveryCodeRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	rec, err := h.Recovery.Confirm(r.Context(), r.PathValue("id"), in.Code, h.meta(r))
	h.writeRecovery(w, r, http.StatusOK, rec, err)
}

func (h *Handler) identifyRecovery(w http.ResponseWriter, r *http.Request) {
	var in recoveryIdentifierRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	rec, err := h.Recovery.Identify(r.Context(), r.PathValue("id"), in.Kind, in.Value, h.meta(r))
	h.writeRecovery(w, r, http.StatusOK, rec, err)
}

func (h *Handler) answerRecovery(w http.ResponseWriter, r *http.Request) {
	var in recoveryAnswerRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	rec, err := h.Recovery.Answer(r.Context(), r.PathValue("id"), in.Answer, h.meta(r))
	h.writeRecovery(w, r, http.StatusOK, rec, err)
}

func (h *Handler) recoveryPassword(w http.ResponseWriter, r *http.Request) {
	var in passwordRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	rec, err := h.Recovery.SetPassword(r.Context(), r.PathValue("id"), in.Password, h.meta(r))
	h.writeRecovery(w, r, http.StatusOK, rec, err)
}
