package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/civis-id/civis/internal/clientauth"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/partner"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

// The partner API for banks (docs/partner-banks.md): each call is authenticated by a fresh
// private_key_jwt client assertion of a client with the bank role, and every change runs
// through the request ledger under the bank's request_id.

// ReplayedHeader marks an answer that repeats the stored answer of an earlier request.
const ReplayedHeader = "Idempotent-Replayed"

// partnerConfirmRequest is the body of POST /api/v1/partner/confirmations.
type partnerConfirmRequest struct {
	RequestID      string `json:"request_id"`
	SNILS          string `json:"snils"`
	LastName       string `json:"last_name"`
	FirstName      string `json:"first_name"`
	MiddleName     string `json:"middle_name"`
	BirthDate      string `json:"birth_date"`
	PassportSeries string `json:"passport_series"`
	PassportNumber string `json:"passport_number"`
	Phone          string `json:"phone"`
}

// partnerRegistrationRequest is the body of POST /api/v1/partner/registrations.
type partnerRegistrationRequest struct {
	RequestID              string `json:"request_id"`
	SNILS                  string `json:"snils"`
	LastName               string `json:"last_name"`
	FirstName              string `json:"first_name"`
	MiddleName             string `json:"middle_name"`
	BirthDate              string `json:"birth_date"`
	Gender                 string `json:"gender"`
	BirthPlace             string `json:"birth_place"`
	PassportSeries         string `json:"passport_series"`
	PassportNumber         string `json:"passport_number"`
	PassportIssueDate      string `json:"passport_issue_date"`
	PassportIssuer         string `json:"passport_issuer"`
	PassportDepartmentCode string `json:"passport_department_code"`
	Phone                  string `json:"phone"`
	Email                  string `json:"email"`
}

// partnerRequestEntry is a request of the bank's ledger as GET answers it.
type partnerRequestEntry struct {
	RequestID string `json:"request_id"`
	Type      string `json:"type"`  // confirmation | registration
	State     string `json:"state"` // done | rejected | failed
	Code      string `json:"code"`  // ok, a refusal code, or internal (failed: resend)
	Message   string `json:"message"`
	Status    int    `json:"status"`
	AccountID string `json:"account_id,omitempty"`
	// Result is the body of the answer: the result of a request that acted, the problem
	// document of a refusal; null when the request failed.
	Result    any    `json:"result"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

var partnerTypes = map[string]string{partner.TypeConfirm: "confirmation", partner.TypeRegister: "registration"}

func (in partnerConfirmRequest) person() partner.Person {
	return partner.Person{SNILS: in.SNILS, LastName: in.LastName, FirstName: in.FirstName, MiddleName: in.MiddleName,
		BirthDate: in.BirthDate, PassportSeries: in.PassportSeries, PassportNumber: in.PassportNumber, Phone: in.Phone}
}

func (in partnerRegistrationRequest) registration() partner.Registration {
	return partner.Registration{
		Person: partner.Person{SNILS: in.SNILS, LastName: in.LastName, FirstName: in.FirstName, MiddleName: in.MiddleName,
			BirthDate: in.BirthDate, PassportSeries: in.PassportSeries, PassportNumber: in.PassportNumber, Phone: in.Phone},
		Gender: in.Gender, BirthPlace: in.BirthPlace, PassportIssueDate: in.PassportIssueDate,
		PassportIssuer: in.PassportIssuer, PassportDepartmentCode: in.PassportDepartmentCode, Email: in.Email,
	}
}

func (h *Handler) partnerConfirm(w http.ResponseWriter, r *http.Request) {
	bank, ok := h.bank(w, r)
	if !ok {
		return
	}
	var in partnerConfirmRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	req, replayed, err := h.Partner.Confirm(r.Context(), bank, in.RequestID, in.person())
	h.ledgerAnswer(w, r, req, replayed, err)
}

func (h *Handler) partnerRegister(w http.ResponseWriter, r *http.Request) {
	bank, ok := h.bank(w, r)
	if !ok {
		return
	}
	var in partnerRegistrationRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	req, replayed, err := h.Partner.Register(r.Context(), bank, in.RequestID, in.registration())
	h.ledgerAnswer(w, r, req, replayed, err)
}

func (h *Handler) partnerRequest(w http.ResponseWriter, r *http.Request) {
	bank, ok := h.bank(w, r)
	if !ok {
		return
	}
	req, err := h.Partner.Request(r.Context(), bank, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		httpx.WriteProblem(w, httpx.NewProblem("request_not_found", "this bank sent no request with this request_id"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e := partnerRequestEntry{RequestID: req.ID, Type: partnerTypes[req.Type], State: string(req.State), Code: req.Code,
		Message: req.Message, Status: req.Status, AccountID: req.Subject,
		CreatedAt: rfc3339(req.CreatedAt), UpdatedAt: rfc3339(req.UpdatedAt)}
	switch req.State {
	case ledger.Done:
		e.Result = json.RawMessage(req.Result)
	case ledger.Rejected:
		e.Result = ledgerProblem(req)
	}
	httpx.WriteJSON(w, http.StatusOK, e)
}

// bank authenticates the calling bank by its client assertion.
func (h *Handler) bank(w http.ResponseWriter, r *http.Request) (partner.Bank, bool) {
	if h.PartnerAuth == nil || h.Partner == nil {
		notFound(w, r)
		return partner.Bank{}, false
	}
	c, ok := h.partnerClient(w, r, h.PartnerAuth, rp.RoleBank, "the client is not a partner bank")
	if !ok {
		return partner.Bank{}, false
	}
	return partner.Bank{ID: c.ID, Name: c.Name}, true
}

// partnerClient authenticates the calling client by its assertion and checks its role; on
// failure it has written 401 invalid_client or 403 forbidden (with notRole as the detail).
func (h *Handler) partnerClient(w http.ResponseWriter, r *http.Request, auth *clientauth.Authenticator, role, notRole string) (*rp.Client, bool) {
	c, err := auth.Authenticate(r, role)
	switch {
	case errors.Is(err, clientauth.ErrInvalid):
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_client"`)
		httpx.WriteProblem(w, httpx.NewProblem("invalid_client", reason(err, clientauth.ErrInvalid)))
		return nil, false
	case errors.Is(err, clientauth.ErrForbidden):
		httpx.WriteProblem(w, httpx.NewProblem("forbidden", notRole))
		return nil, false
	case err != nil:
		h.fail(w, r, err)
		return nil, false
	}
	return c, true
}

// reason is err's message without the sentinel's own prefix.
func reason(err, sentinel error) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), sentinel.Error()), ": ")
}
