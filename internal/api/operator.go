package api

import (
	"encoding/json"
	"net/http"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/rp"
)

// The operator API for service centers' own systems (docs/service-centers.md): each call is
// authenticated by a fresh private_key_jwt client assertion of a client with the center role,
// and acts for the operator named in the Civis-Operator header, who must be staff at the
// client's center. Every change runs through the request ledger under the center's
// request_id; a resend answers exactly as the first time.

// OperatorHeader names the acting operator's account id.
const OperatorHeader = "Civis-Operator"

// operatorActor authenticates the center's client and names the acting operator; on failure
// it has written the problem.
func (h *Handler) operatorActor(w http.ResponseWriter, r *http.Request) (operator.Actor, bool) {
	if h.Operator == nil || h.OperatorAuth == nil {
		notFound(w, r)
		return operator.Actor{}, false
	}
	c, ok := h.partnerClient(w, r, h.OperatorAuth, rp.RoleCenter, "the client is not a service center's system")
	if !ok {
		return operator.Actor{}, false
	}
	op := r.Header.Get(OperatorHeader)
	if c.CenterID == "" || op == "" || len(op) > 100 {
		httpx.WriteProblem(w, httpx.NewProblem("forbidden", "name the acting operator in the "+OperatorHeader+" header"))
		return operator.Actor{}, false
	}
	return operator.Actor{OperatorID: op, CenterID: c.CenterID, ClientID: c.ID,
		IP: httpx.ClientIP(r, h.TrustedProxies)}, true
}

// operatorJSON authenticates the call and decodes its body into in.
func (h *Handler) operatorJSON(w http.ResponseWriter, r *http.Request, in any) (operator.Actor, bool) {
	a, ok := h.operatorActor(w, r)
	if !ok {
		return a, false
	}
	if p := httpx.DecodeJSON(w, r, in); p != nil {
		httpx.WriteProblem(w, p)
		return a, false
	}
	return a, true
}

func (h *Handler) operatorRegister(w http.ResponseWriter, r *http.Request) {
	var in operatorRegistrationRequest
	if a, ok := h.operatorJSON(w, r, &in); ok {
		req, replayed, err := h.Operator.Register(r.Context(), a, in.RequestID, in.input())
		h.ledgerAnswer(w, r, req, replayed, err)
	}
}

func (h *Handler) operatorConfirm(w http.ResponseWriter, r *http.Request) {
	var in operatorConfirmationRequest
	if a, ok := h.operatorJSON(w, r, &in); ok {
		req, replayed, err := h.Operator.Confirm(r.Context(), a, in.RequestID, in.AccountID, in.PassportNumber)
		h.ledgerAnswer(w, r, req, replayed, err)
	}
}

func (h *Handler) operatorRestore(w http.ResponseWriter, r *http.Request) {
	var in operatorRestorationRequest
	if a, ok := h.operatorJSON(w, r, &in); ok {
		req, replayed, err := h.Operator.Restore(r.Context(), a, in.RequestID, operator.RestoreInput{AccountID: in.AccountID,
			TempPassword: in.TempPassword, NewPhone: in.NewPhone, NewEmail: in.NewEmail})
		h.ledgerAnswer(w, r, req, replayed, err)
	}
}

func (h *Handler) operatorDuplicate(w http.ResponseWriter, r *http.Request) {
	var in operatorDuplicateRequest
	if a, ok := h.operatorJSON(w, r, &in); ok {
		req, replayed, err := h.Operator.RemoveDuplicate(r.Context(), a, in.RequestID, in.KeepAccountID, in.RemoveAccountID)
		h.ledgerAnswer(w, r, req, replayed, err)
	}
}

func (h *Handler) operatorSearch(w http.ResponseWriter, r *http.Request) {
	var in operatorSearchRequest
	a, ok := h.operatorJSON(w, r, &in)
	if !ok {
		return
	}
	a.Reason = in.Reason
	f, err := h.Operator.Find(r.Context(), a, operator.Query{SNILS: in.SNILS, PassportSeries: in.PassportSeries,
		PassportNumber: in.PassportNumber, Phone: in.Phone, Email: in.Email})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, foundBody(f))
}

func (h *Handler) operatorAccounts(w http.ResponseWriter, r *http.Request) {
	a, ok := h.operatorActor(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	a.Reason = q.Get("reason")
	exists, level, err := h.Operator.Exists(r.Context(), a, operator.Query{SNILS: q.Get("snils"),
		PassportSeries: q.Get("passport_series"), PassportNumber: q.Get("passport_number"),
		Phone: q.Get("phone"), Email: q.Get("email")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, operatorExists{Exists: exists, Level: string(level)})
}

func (h *Handler) operatorRequest(w http.ResponseWriter, r *http.Request) {
	a, ok := h.operatorActor(w, r)
	if !ok {
		return
	}
	req, err := h.Operator.Request(r.Context(), a, r.PathValue("request_id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e := operatorRequestEntry{RequestID: req.ID, Type: req.Type, State: string(req.State), Code: req.Code,
		Message: req.Message, Subject: req.Subject, CreatedAt: rfc3339(req.CreatedAt), UpdatedAt: rfc3339(req.UpdatedAt)}
	switch req.State {
	case ledger.Done:
		e.Result = json.RawMessage(req.Result)
	case ledger.Rejected:
		e.Result = ledgerProblem(req)
	}
	httpx.WriteJSON(w, http.StatusOK, e)
}

func (h *Handler) activate(w http.ResponseWriter, r *http.Request) {
	if h.Operator == nil {
		notFound(w, r)
		return
	}
	var in activationRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	id, err := h.Operator.Activate(r.Context(), r.PathValue("token"), in.Password, h.meta(r).IP)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, activationResponse{AccountID: id})
}

// ledgerAnswer writes the ledger's answer to a request, the same on every resend (marked
// as a replay), or the problem for err.
func (h *Handler) ledgerAnswer(w http.ResponseWriter, r *http.Request, req *ledger.Request, replayed bool, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeLedgerAnswer(w, req, replayed)
}

// writeLedgerAnswer writes a request's stored answer: its result, its refusal, or, for a
// failure recorded by a concurrent attempt, an error asking the client to resend. A replayed
// answer is marked with ReplayedHeader.
func writeLedgerAnswer(w http.ResponseWriter, req *ledger.Request, replayed bool) {
	if replayed {
		w.Header().Set(ReplayedHeader, "true")
	}
	switch req.State {
	case ledger.Done:
		httpx.WriteJSON(w, req.Status, json.RawMessage(req.Result))
	case ledger.Rejected:
		httpx.WriteProblem(w, ledgerProblem(req))
	default:
		httpx.WriteProblem(w, httpx.NewProblem("internal_error", "the request failed; resend it with the same request_id"))
	}
}

// ledgerProblem rebuilds the problem document of a stored refusal.
func ledgerProblem(req *ledger.Request) *httpx.Problem {
	if p, ok := httpx.ProblemFor(req.Refusal()); ok {
		return p
	}
	return httpx.NewProblem(req.Code, req.Message)
}
