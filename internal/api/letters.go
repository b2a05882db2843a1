package api

import (
	"errors"
	"net/http"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/store"
)

// Identity confirmation by a code in a registered letter.

// letterAddress is a postal address in the letters API.
type letterAddress struct {
	Postcode string `json:"postcode"`
	Region   string `json:"region"`
	City     string `json:"city"`
	Street   string `json:"street"`
	House    string `json:"house"`
	Flat     string `json:"flat"`
}

// letterOrderRequest is the body of POST /api/v1/me/letters.
type letterOrderRequest letterAddress

// letterConfirmRequest is the body of POST /api/v1/me/letters/confirm.
type letterConfirmRequest struct {
	Code string `json:"code"`
}

// letterBody is one letter as the citizen sees it.
type letterBody struct {
	ID             string        `json:"id"`
	State          string        `json:"state"`
	Address        letterAddress `json:"address"`
	TrackingNumber *string       `json:"tracking_number"`
	OrderedAt      string        `json:"ordered_at"`
	SentAt         *string       `json:"sent_at"`
	DeliveredAt    *string       `json:"delivered_at"`
	ExpiresAt      *string       `json:"expires_at"`
	UsedAt         *string       `json:"used_at"`
}

// letterStatus is the answer of GET and POST /api/v1/me/letters.
type letterStatus struct {
	Letter      *letterBody   `json:"letter"`
	CanOrder    bool          `json:"can_order"`
	Reason      *string       `json:"reason"`
	NextOrderAt *string       `json:"next_order_at"`
	Prefill     letterAddress `json:"prefill"`
}

func addressBody(a letters.Address) letterAddress { return letterAddress(a) }

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func statusBody(st *letters.Status) letterStatus {
	out := letterStatus{CanOrder: st.CanOrder, Reason: optString(st.Reason), NextOrderAt: timePtr(st.NextOrderAt),
		Prefill: addressBody(st.Prefill)}
	if l := st.Letter; l != nil {
		out.Letter = &letterBody{ID: l.ID, State: string(st.State), Address: addressBody(l.Address),
			TrackingNumber: optString(l.TrackingNumber), OrderedAt: rfc3339(l.OrderedAt), SentAt: timePtr(l.SentAt),
			DeliveredAt: timePtr(l.DeliveredAt), ExpiresAt: timePtr(l.ExpiresAt), UsedAt: timePtr(l.UsedAt)}
	}
	return out
}

// lettersOff answers when the node has no letters service.
func (h *Handler) lettersOff(w http.ResponseWriter) bool {
	if h.Letters != nil {
		return false
	}
	httpx.WriteProblem(w, httpx.NewProblem("not_found", "letters are not offered by this server"))
	return true
}

func (h *Handler) getLetters(w http.ResponseWriter, r *http.Request) {
	if h.lettersOff(w) {
		return
	}
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	h.writeLetterStatus(w, r, sess.AccountID, http.StatusOK)
}

func (h *Handler) writeLetterStatus(w http.ResponseWriter, r *http.Request, accountID string, status int) {
	st, err := h.Letters.Status(r.Context(), accountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, statusBody(st))
}

func (h *Handler) orderLetter(w http.ResponseWriter, r *http.Request) {
	if h.lettersOff(w) {
		return
	}
	var in letterOrderRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	if _, err := h.Letters.Order(r.Context(), sess.AccountID, letters.Address(in), h.meta(r)); err != nil {
		h.letterFail(w, r, err)
		return
	}
	h.writeLetterStatus(w, r, sess.AccountID, http.StatusCreated)
}

func (h *Handler) confirmLetter(w http.ResponseWriter, r *http.Request) {
	if h.lettersOff(w) {
		return
	}
	var in letterConfirmRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	if err := h.Letters.Confirm(r.Context(), sess.AccountID, in.Code, h.meta(r)); err != nil {
		h.letterFail(w, r, err)
		return
	}
	acc, err := h.Accounts.GetAccount(r.Context(), sess.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, meBody(acc, nil))
}

// letterFail answers a gone account as unauthorized, like GET /me; the rest as usual.
func (h *Handler) letterFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		httpx.WriteProblem(w, httpx.NewProblem("unauthorized", "the account no longer exists"))
		return
	}
	h.fail(w, r, err)
}
