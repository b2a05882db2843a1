package api

import (
	"errors"
	"net/http"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

type loginRequest struct {
	Login       string        `json:"login"`
	Password    string        `json:"password"`
	DeviceToken string        `json:"device_token,omitempty"`
	PoW         *pow.Solution `json:"pow,omitempty"`
	NewPassword string        `json:"new_password,omitempty"`
}

type loginResponse struct {
	SessionToken string `json:"session_token"`
	AccountID    string `json:"account_id"`
	ExpiresAt    string `json:"expires_at"`
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	out, err := h.Flows.Login(r.Context(), flow.LoginInput{Login: in.Login, Password: in.Password,
		DeviceToken: in.DeviceToken, PoW: in.PoW, NewPassword: in.NewPassword}, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if out.Pending != nil {
		httpx.WriteJSON(w, http.StatusAccepted, pendingLoginResponse{LoginID: out.Pending.ID,
			SecondFactor: out.Pending.Methods, ExpiresAt: rfc3339(out.Pending.ExpiresAt)})
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, h.sessionBody(out.Signed))
}

// sessionBody is the answer of a step that signs the citizen in.
func (h *Handler) sessionBody(s *flow.Signed) loginResponse {
	return loginResponse{SessionToken: s.Token, AccountID: s.Account.ID, ExpiresAt: rfc3339(h.Sessions.IdleExpiry(s.Session))}
}

// authenticate returns the session of the request's bearer token, or writes 401.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (*session.Session, bool) {
	sess, err := h.Sessions.Authenticate(r.Context(), httpx.BearerToken(r))
	if errors.Is(err, session.ErrInvalid) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="civis"`)
		httpx.WriteProblem(w, httpx.NewProblem("unauthorized", "send Authorization: Bearer <session_token>"))
		return nil, false
	}
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return sess, true
}

// authedJSON authenticates the bearer session and decodes the JSON body into in; on failure it
// has written the problem answer and returns false.
func (h *Handler) authedJSON(w http.ResponseWriter, r *http.Request, in any) (*session.Session, bool) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return nil, false
	}
	if p := httpx.DecodeJSON(w, r, in); p != nil {
		httpx.WriteProblem(w, p)
		return nil, false
	}
	return sess, true
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if err := h.Sessions.Revoke(r.Context(), sess); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type contactBody struct {
	Kind      string `json:"kind"`
	Value     string `json:"value"`
	Confirmed bool   `json:"confirmed"`
}

type nextLevelBody struct {
	Level string   `json:"level"`
	Needs []string `json:"needs"`
}

type meResponse struct {
	ID         string         `json:"id"`
	Level      string         `json:"level"`
	LastName   string         `json:"last_name"`
	FirstName  string         `json:"first_name"`
	MiddleName string         `json:"middle_name,omitempty"`
	Contacts   []contactBody  `json:"contacts"`
	NextLevel  *nextLevelBody `json:"next_level"`
	CreatedAt  string         `json:"created_at"`
}

// MeBody is the JSON view of an account returned by GET /me; met tells which next-level
// requirements the profile already meets (nil: none).
func meBody(a *account.Account, met func(account.Requirement) bool) meResponse {
	out := meResponse{ID: a.ID, Level: string(a.Level), LastName: a.LastName, FirstName: a.FirstName,
		MiddleName: a.MiddleName, Contacts: []contactBody{}, CreatedAt: rfc3339(a.CreatedAt)}
	for _, c := range a.Contacts {
		out.Contacts = append(out.Contacts, contactBody{Kind: string(c.Kind), Value: c.Value, Confirmed: c.Verified})
	}
	if next, needs, ok := a.NextLevelWith(met); ok {
		nb := &nextLevelBody{Level: string(next), Needs: []string{}}
		for _, n := range needs {
			nb.Needs = append(nb.Needs, string(n))
		}
		out.NextLevel = nb
	}
	return out
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	acc, err := h.Accounts.GetAccount(r.Context(), sess.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		httpx.WriteProblem(w, httpx.NewProblem("unauthorized", "the account no longer exists"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	met, err := h.requirementsMet(r.Context(), acc.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, meBody(acc, met))
}
