package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/civis-id/civis/internal/ledger"
	"github.com/civis-id/civis/internal/operator"
)

// The steps every action form of the workstation shares: the page with the empty form, and
// the submission (gate, form, request id, run, outcome or the form again).

// opField is one text input of an action form.
type opField struct {
	name, typ string
	max       int
	required  bool
}

// formData is the content of an action's form.
type formData struct {
	Center    string
	RequestID string
	In        map[string]input
	Gender    []kindOption
	Activate  []kindOption
	TempPass  bool
}

// opShow renders an action's form with status: the page itself or, for a refused action, the
// page that shows it again.
type opShow func(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk)

// newFormData starts the content of an action's form with the inputs fields, as typed in v,
// and a fresh request id.
func newFormData(v *view, d *desk, fields []opField) formData {
	fd := formData{Center: d.center, RequestID: newRequestID(), In: make(map[string]input, len(fields))}
	for _, f := range fields {
		fd.In[f.name] = opInput(v, f.name, f.typ, f.max, f.required)
	}
	return fd
}

// opFormPage shows an action's form, titled titleID, filled with values.
func (h *Handler) opFormPage(w http.ResponseWriter, r *http.Request, titleID string, values url.Values, show opShow) {
	d, ok := h.opGate(w, r, false)
	if !ok {
		return
	}
	v := h.newView(r, titleID)
	v.Form = values
	show(w, r, http.StatusOK, v, d)
}

// opPost is a submitted action form of the workstation: who sent it, what it holds, and how
// to show it again.
type opPost struct {
	h    *Handler
	w    http.ResponseWriter
	r    *http.Request
	d    *desk
	f    url.Values
	show opShow
}

// opSubmitted lets a submitted action form in; false when it has been answered instead (see
// [Handler.opGate] and [Handler.parseForm]).
func (h *Handler) opSubmitted(w http.ResponseWriter, r *http.Request, show opShow) (*opPost, bool) {
	d, ok := h.opGate(w, r, false)
	if !ok || !h.parseForm(w, r) {
		return nil, false
	}
	return &opPost{h: h, w: w, r: r, d: d, f: r.PostForm, show: show}, true
}

// again shows the form again with status.
func (p *opPost) again(v *view, status int) { p.show(p.w, p.r, status, v, p.d) }

// requestOK checks the form's request id; a form without one (or with a broken one) is shown
// again with a fresh id.
func (p *opPost) requestOK() bool {
	id := p.f.Get("request_id")
	if id != "" && len(id) <= 100 && !strings.ContainsFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) {
		return true
	}
	v := p.h.newView(p.r, "title_operator")
	v.Form = p.f
	v.Alert = v.T("op_problem_request_reused")
	p.again(v, http.StatusBadRequest)
	return false
}

// get returns the form's value name with the spaces around it trimmed.
func (p *opPost) get(name string) string { return strings.TrimSpace(p.f.Get(name)) }

// actor is the operator acting, with the reason typed.
func (p *opPost) actor() operator.Actor { return p.h.actor(p.r, p.d, p.get("reason")) }

// requestID is the form's request id, for the ledger.
func (p *opPost) requestID() string { return p.f.Get("request_id") }

// answer shows what came of the action kind (see [Handler.opAct]); ids names the form's
// inputs for the service's field errors.
func (p *opPost) answer(kind string, req *ledger.Request, replayed bool, err error, ids fieldIDs) {
	p.h.opAct(p.w, p.r, p.d, kind, req, replayed, err, ids, p.again)
}
