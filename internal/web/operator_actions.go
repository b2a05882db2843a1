package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/operator"
)

// opRegisterFields are the text inputs of the register form, as (name, type, max length,
// required).
var opRegisterFields = []struct {
	name, typ string
	max       int
	required  bool
}{
	{"last_name", "text", 100, true}, {"first_name", "text", 100, true}, {"middle_name", "text", 100, false},
	{"phone", "tel", 32, false}, {"email", "email", 254, false},
	{"birth_date", "text", 10, true}, {"birth_place", "text", 200, true}, {"citizenship", "text", 3, true},
	{"snils", "text", 14, true},
	{"passport_series", "text", 5, true}, {"passport_number", "text", 6, true},
	{"passport_issue_date", "text", 10, true}, {"passport_issuer", "text", 200, true},
	{"passport_department_code", "text", 7, true},
	{"reason", "text", maxReason, false},
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

// opRegisterForm shows the form to register a citizen.
func (h *Handler) opRegisterForm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok {
		return
	}
	v := h.newView(r, "title_op_register")
	v.Form = url.Values{"citizenship": {"RUS"}, "activation": {operator.ActivationPassword}}
	h.renderRegister(w, r, http.StatusOK, v, d)
}

func (h *Handler) renderRegister(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	fd := formData{Center: d.center, RequestID: newRequestID(), In: map[string]input{}}
	for _, f := range opRegisterFields {
		fd.In[f.name] = opInput(v, f.name, f.typ, f.max, f.required)
	}
	for _, g := range []string{"male", "female"} {
		fd.Gender = append(fd.Gender, kindOption{Value: g, Label: v.T("op_gender_" + g), Checked: v.Val("gender") == g})
	}
	for _, a := range []string{operator.ActivationPassword, operator.ActivationLink} {
		fd.Activate = append(fd.Activate, kindOption{Value: a, Label: v.T("op_activation_" + a), Checked: v.Val("activation") == a})
	}
	v.Data = fd
	v.Next = "/operator/register"
	h.render(w, r, status, "operator_register", v)
}

// opRegister registers a citizen; the search's "register" button opens the form filled with
// what was searched (start).
func (h *Handler) opRegister(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	if f.Get("start") != "" {
		v := h.newView(r, "title_op_register")
		v.Form = url.Values{"citizenship": {"RUS"}, "activation": {operator.ActivationPassword}}
		for _, k := range []string{"snils", "phone", "email", "passport_series", "passport_number", "reason"} {
			v.Form.Set(k, f.Get(k))
		}
		h.renderRegister(w, r, http.StatusOK, v, d)
		return
	}
	again := func(v *view, status int) { h.renderRegister(w, r, status, v, d) }
	in := operator.RegisterInput{
		LastName: trim(f, "last_name"), FirstName: trim(f, "first_name"), MiddleName: trim(f, "middle_name"),
		Phone: trim(f, "phone"), Email: trim(f, "email"), Gender: f.Get("gender"),
		BirthDate: isoDate(trim(f, "birth_date")), BirthPlace: trim(f, "birth_place"),
		Citizenship: strings.ToUpper(trim(f, "citizenship")), SNILS: trim(f, "snils"),
		Passport: operator.Passport{Series: trim(f, "passport_series"), Number: trim(f, "passport_number"),
			IssueDate: isoDate(trim(f, "passport_issue_date")), Issuer: trim(f, "passport_issuer"),
			DepartmentCode: trim(f, "passport_department_code")},
		Activation: f.Get("activation"),
	}
	if !h.opRequestOK(w, r, f, again) {
		return
	}
	ids := opIDs("last_name", "first_name", "middle_name", "phone", "email", "gender", "birth_date", "birth_place",
		"citizenship", "snils", "passport_series", "passport_number", "passport_issue_date", "passport_issuer",
		"passport_department_code", "activation")
	req, replayed, err := h.Operator.Register(r.Context(), h.actor(r, d, trim(f, "reason")), f.Get("request_id"), in)
	h.opAct(w, r, d, "register", req, replayed, err, ids, again)
}

// opRequestOK checks the form's request id; a form without one (or with a broken one) is
// shown again with a fresh id.
func (h *Handler) opRequestOK(w http.ResponseWriter, r *http.Request, f url.Values, again func(*view, int)) bool {
	id := f.Get("request_id")
	if id != "" && len(id) <= 100 && !strings.ContainsFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) {
		return true
	}
	v := h.newView(r, "title_operator")
	v.Form = f
	v.Alert = v.T("op_problem_request_reused")
	again(v, http.StatusBadRequest)
	return false
}

func trim(f url.Values, name string) string { return strings.TrimSpace(f.Get(name)) }

// isoDate reads DD.MM.YYYY as YYYY-MM-DD; anything else is passed on for the service to
// judge.
func isoDate(s string) string {
	if t, err := time.Parse("02.01.2006", s); err == nil {
		return t.Format(time.DateOnly)
	}
	return s
}

// opConfirm confirms the identity of the account found, once the operator typed the
// passport number again.
func (h *Handler) opConfirm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	again := func(v *view, status int) { h.opAgainSearch(w, r, v, d, status) }
	if !h.opRequestOK(w, r, f, again) {
		return
	}
	number := strings.Join(strings.Fields(f.Get("passport_number")), "")
	req, replayed, err := h.Operator.Confirm(r.Context(), h.actor(r, d, trim(f, "reason")), f.Get("request_id"),
		trim(f, "account_id"), number)
	h.opAct(w, r, d, "confirm", req, replayed, err, opIDs(), again)
}

// opAgainSearch answers a refused confirmation on the search page: the operator searches
// again to see the profile.
func (h *Handler) opAgainSearch(w http.ResponseWriter, r *http.Request, v *view, d *desk, status int) {
	for _, m := range v.Summary {
		v.Alert = strings.TrimSpace(v.Alert + " " + m.Text)
	}
	v.Summary, v.errs, v.Form = nil, nil, nil
	h.renderHome(w, r, status, v, d)
}

// opRestoreForm shows the form to restore access to an account.
func (h *Handler) opRestoreForm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok {
		return
	}
	v := h.newView(r, "title_op_restore")
	v.Form = url.Values{"account_id": {r.URL.Query().Get("account")}}
	h.renderRestore(w, r, http.StatusOK, v, d)
}

func (h *Handler) renderRestore(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	fd := formData{Center: d.center, RequestID: newRequestID(), In: map[string]input{},
		TempPass: v.Val("temp_password") != ""}
	fd.In["account_id"] = opInput(v, "account_id", "text", 64, true)
	fd.In["new_phone"] = opInput(v, "new_phone", "tel", 32, false)
	fd.In["new_email"] = opInput(v, "new_email", "email", 254, false)
	fd.In["reason"] = opInput(v, "reason", "text", maxReason, false)
	v.Data = fd
	v.Next = "/operator"
	h.render(w, r, status, "operator_restore", v)
}

// opRestore sets a temporary password and/or new contacts.
func (h *Handler) opRestore(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	again := func(v *view, status int) { h.renderRestore(w, r, status, v, d) }
	if !h.opRequestOK(w, r, f, again) {
		return
	}
	in := operator.RestoreInput{AccountID: trim(f, "account_id"), TempPassword: f.Get("temp_password") != "",
		NewPhone: trim(f, "new_phone"), NewEmail: trim(f, "new_email")}
	if !in.TempPassword && in.NewPhone == "" && in.NewEmail == "" {
		v := h.newView(r, "title_op_restore")
		v.Form, v.Alert = f, v.T("op_problem_restore_nothing")
		again(v, http.StatusUnprocessableEntity)
		return
	}
	req, replayed, err := h.Operator.Restore(r.Context(), h.actor(r, d, trim(f, "reason")), f.Get("request_id"), in)
	h.opAct(w, r, d, "restore", req, replayed, err, opIDs("account_id", "new_phone", "new_email"), again)
}

// opDuplicateForm shows the form to remove a duplicate account.
func (h *Handler) opDuplicateForm(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok {
		return
	}
	v := h.newView(r, "title_op_duplicate")
	q := r.URL.Query()
	v.Form = url.Values{"keep_id": {q.Get("keep")}, "remove_id": {q.Get("remove")}}
	h.renderDuplicate(w, r, http.StatusOK, v, d)
}

func (h *Handler) renderDuplicate(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	fd := formData{Center: d.center, RequestID: newRequestID(), In: map[string]input{}}
	fd.In["keep_id"] = opInput(v, "keep_id", "text", 64, true)
	fd.In["remove_id"] = opInput(v, "remove_id", "text", 64, true)
	fd.In["reason"] = opInput(v, "reason", "text", maxReason, false)
	v.Data = fd
	v.Next = "/operator"
	h.render(w, r, status, "operator_duplicate", v)
}

// opDuplicate removes the duplicate account of the same person.
func (h *Handler) opDuplicate(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	again := func(v *view, status int) { h.renderDuplicate(w, r, status, v, d) }
	if !h.opRequestOK(w, r, f, again) {
		return
	}
	req, replayed, err := h.Operator.RemoveDuplicate(r.Context(), h.actor(r, d, trim(f, "reason")), f.Get("request_id"),
		trim(f, "keep_id"), trim(f, "remove_id"))
	h.opAct(w, r, d, "duplicate", req, replayed, err, opIDs("keep_id", "remove_id"), again)
}
