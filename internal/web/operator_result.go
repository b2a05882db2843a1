package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/proofing"
)

// outcomeData is the content of the page after an action.
type outcomeData struct {
	Center    string
	Done      bool
	Replayed  bool // the form was sent again: this is the first answer
	Heading   string
	Message   string
	AccountID string
	Level     string
	Links     []link
}

// fieldProblem is one field error, whichever service reported it.
type fieldProblem struct{ Field, Code, Message string }

// opFields returns the field errors err carries, and the code of the whole refusal; ok is
// false when err is no refusal the workstation knows.
func opFields(err error) (fields []fieldProblem, code string, ok bool) {
	var ve *flow.ValidationError
	var pe *proofing.Error
	var rej *ledger.Rejection
	switch {
	case errors.As(err, &ve):
		for _, f := range ve.Fields {
			fields = append(fields, fieldProblem(f))
		}
		return fields, ve.Code, true
	case errors.As(err, &pe):
		for _, f := range pe.Fields {
			fields = append(fields, fieldProblem(f))
		}
		return fields, pe.Code, true
	case errors.As(err, &rej):
		b, _ := json.Marshal(rej.Detail)
		return detailFields(b), rej.Code, true
	}
	if p, known := httpx.ProblemFor(err); known {
		for _, f := range p.Errors {
			fields = append(fields, fieldProblem{Field: f.Field, Code: f.Code, Message: f.Message})
		}
		return fields, p.Code, true
	}
	return nil, "", false
}

// detailFields reads the field errors of a refusal's stored problem body.
func detailFields(raw []byte) []fieldProblem {
	var body struct {
		Errors []struct{ Field, Code, Message string } `json:"errors"`
	}
	if len(raw) == 0 {
		return nil
	}
	if raw[0] == '[' { // the list itself
		if json.Unmarshal(raw, &body.Errors) != nil {
			return nil
		}
	} else if json.Unmarshal(raw, &body) != nil {
		return nil
	}
	out := make([]fieldProblem, 0, len(body.Errors))
	for _, e := range body.Errors {
		out = append(out, fieldProblem(e))
	}
	return out
}

// opExplain puts a refusal on v: field errors next to their inputs, the rest as an alert. An
// unexpected error answers with the 500 page (ok false).
func (h *Handler) opExplain(w http.ResponseWriter, r *http.Request, v *view, err error, ids fieldIDs) (int, bool) {
	fields, code, known := opFields(err)
	if !known {
		h.internal(w, r, err)
		return 0, false
	}
	for _, f := range fields {
		v.showError(ids(f.Field), opFieldMessage(v, f))
	}
	if len(fields) == 0 {
		v.Alert = opCodeWords(v, code, err.Error())
	}
	if code == "rate_limited" {
		wait := retryAfter(err)
		setRetryAfter(w, wait)
		v.Alert = waitMessage(v, wait)
		return http.StatusTooManyRequests, true
	}
	return opStatusOf(err, code), true
}

// opStatusOf is the status of a refusal: a ledger rejection's own, else by its code.
func opStatusOf(err error, code string) int {
	var rej *ledger.Rejection
	if errors.As(err, &rej) && rej.Status >= 400 && rej.Status < 500 {
		return rej.Status
	}
	return opStatus(code)
}

// opStatus is the status of a refusal: the shared one for a known code, else 422.
func opStatus(code string) int {
	if st := httpx.NewProblem(code, "").Status; st != http.StatusInternalServerError || code == "internal_error" {
		return st
	}
	return http.StatusUnprocessableEntity
}

// opFieldName maps a service field name to the workstation's: passport.series and
// id_doc.series become passport_series.
func opFieldName(field string) string {
	name := strings.ReplaceAll(strings.ToLower(field), ".", "_")
	if rest, ok := strings.CutPrefix(name, "id_doc_"); ok {
		name = "passport_" + rest
	}
	return name
}

// opFieldMessage translates a field error: the workstation's words first, then the
// profile's (the same rules check the data), then the shared ones.
func opFieldMessage(v *view, f fieldProblem) string {
	if id := "op_field_" + f.Code; v.Has(id) {
		return v.T(id)
	}
	name := opFieldName(f.Field)
	scope := "personal"
	if rest, ok := strings.CutPrefix(name, "passport_"); ok {
		scope, name = "rf_passport", rest
	} else if name == "snils" || name == "phone" || name == "email" {
		scope = name
	}
	return profileErrText(v, scope, name, f.Code)
}

// opCodeWords says what a refusal code means, or shows the service's message.
func opCodeWords(v *view, code, message string) string {
	if id := "op_code_" + code; v.Has(id) {
		return v.T(id)
	}
	if id := "problem_" + code; v.Has(id) {
		return v.T(id)
	}
	return message
}

// opAct runs the answer of an action: the outcome page, or the form again (through again,
// with a fresh request id) for field errors and reused request ids.
func (h *Handler) opAct(w http.ResponseWriter, r *http.Request, d *desk, kind string, req *ledger.Request,
	replayed bool, err error, ids fieldIDs, again func(v *view, status int)) {
	v := h.newView(r, "title_op_"+kind)
	v.Form = r.PostForm
	switch {
	case errors.Is(err, ledger.ErrReused), errors.Is(err, ledger.ErrInvalidID):
		v.Alert = v.T("op_problem_request_reused")
		again(v, http.StatusConflict)
		return
	case err != nil:
		if status, ok := h.opExplain(w, r, v, err, ids); ok {
			again(v, status)
		}
		return
	}
	if req.State == ledger.Rejected {
		if fields := detailFields(req.Result); len(fields) > 0 {
			for _, f := range fields {
				v.showError(ids(f.Field), opFieldMessage(v, f))
			}
			again(v, http.StatusUnprocessableEntity)
			return
		}
	}
	v.Data = outcomeView(v, d, kind, req, replayed)
	v.Next = "/operator"
	status := http.StatusOK
	if req.State != ledger.Done {
		status = http.StatusUnprocessableEntity
		if req.Status >= 400 && req.Status < 500 {
			status = req.Status
		}
	}
	h.render(w, r, status, "operator_done", v)
}

// outcomeView describes an action's answer in words, with the way on.
func outcomeView(v *view, d *desk, kind string, req *ledger.Request, replayed bool) outcomeData {
	o := outcomeData{Center: d.center, Replayed: replayed, Done: req.State == ledger.Done, AccountID: req.Subject}
	var res operator.Result
	_ = json.Unmarshal(req.Result, &res)
	if res.AccountID != "" {
		o.AccountID = res.AccountID
	}
	if res.Level != "" {
		o.Level = v.T("level_" + res.Level)
	}
	back := link{"/operator", v.T("op_link_search")}
	if o.Done {
		o.Heading, o.Message = v.T("op_done_heading"), v.T("op_done_"+kind)
		o.Links = []link{back}
		return o
	}
	o.Heading, o.Message = v.T("op_refused_heading"), opCodeWords(v, req.Code, req.Message)
	switch req.Code {
	case "account_confirmed":
		if o.AccountID != "" {
			o.Links = append(o.Links, link{"/operator/restore?" + url.Values{"account": {o.AccountID}}.Encode(), v.T("op_action_restore")})
		}
	case "failed", "internal":
		o.Message = v.T("op_problem_failed")
	}
	o.Links = append(o.Links, back)
	return o
}
