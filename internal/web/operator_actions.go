package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/civis-id/civis/internal/operator"
)

// opRegisterFields are the text inputs of the register form.
var opRegisterFields = []opField{
	{"last_name", "text", 100, true}, {"first_name", "text", 100, true}, {"middle_name", "text", 100, false},
	{"phone", "tel", 32, false}, {"email", "email", 254, false},
	{"birth_date", "text", 10, true}, {"birth_place", "text", 200, true}, {"citizenship", "text", 3, true},
	{"snils", "text", 14, true},
	{"passport_series", "text", 5, true}, {"passport_number", "text", 6, true},
	{"passport_issue_date", "text", 10, true}, {"passport_issuer", "text", 200, true},
	{"passport_department_code", "text", 7, true},
	{"reason", "text", maxReason, false},
}

// opRestoreFields are the text inputs of the restore form.
var opRestoreFields = []opField{
	{"account_id", "text", 64, true}, {"new_phone", "tel", 32, false}, {"new_email", "email", 254, false},
	{"reason", "text", maxReason, false},
}

// opDuplicateFields are the text inputs of the duplicate form.
var opDuplicateFields = []opField{
	{"keep_id", "text", 64, true}, {"remove_id", "text", 64, true}, {"reason", "text", maxReason, false},
}

// opRegisterDefaults are what a new register form starts with.
func opRegisterDefaults() url.Values {
	return url.Values{"citizenship": {"RUS"}, "activation": {operator.ActivationPassword}}
}

// opRegisterForm shows the form to register a citizen.
func (h *Handler) opRegisterForm(w http.ResponseWriter, r *http.Request) {
	h.opFormPage(w, r, "title_op_register", opRegisterDefaults(), h.renderRegister)
}

func (h *Handler) renderRegister(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	fd := newFormData(v, d, opRegisterFields)
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
	p, ok := h.opSubmitted(w, r, h.renderRegister)
	if !ok {
		return
	}
	if p.f.Get("start") != "" {
		v := h.newView(r, "title_op_register")
		v.Form = opRegisterDefaults()
		for _, k := range []string{"snils", "phone", "email", "passport_series", "passport_number", "reason"} {
			v.Form.Set(k, p.f.Get(k))
		}
		p.again(v, http.StatusOK)
		return
	}
	if !p.requestOK() {
		return
	}
	req, replayed, err := h.Operator.Register(r.Context(), p.actor(), p.requestID(), opRegisterInput(p))
	p.answer("register", req, replayed, err, opIDs("last_name", "first_name", "middle_name", "phone", "email",
		"gender", "birth_date", "birth_place", "citizenship", "snils", "passport_series", "passport_number",
		"passport_issue_date", "passport_issuer", "passport_department_code", "activation"))
}

// opRegisterInput reads the register form.
func opRegisterInput(p *opPost) operator.RegisterInput {
	return operator.RegisterInput{
		LastName: p.get("last_name"), FirstName: p.get("first_name"), MiddleName: p.get("middle_name"),
		Phone: p.get("phone"), Email: p.get("email"), Gender: p.f.Get("gender"),
		BirthDate: readDate(p.get("birth_date")), BirthPlace: p.get("birth_place"),
		Citizenship: strings.ToUpper(p.get("citizenship")), SNILS: p.get("snils"),
		Passport: operator.Passport{Series: p.get("passport_series"), Number: p.get("passport_number"),
			IssueDate: readDate(p.get("passport_issue_date")), Issuer: p.get("passport_issuer"),
			DepartmentCode: p.get("passport_department_code")},
		Activation: p.f.Get("activation"),
	}
}

// opConfirm confirms the identity of the account found, once the operator typed the
// passport number again.
func (h *Handler) opConfirm(w http.ResponseWriter, r *http.Request) {
	p, ok := h.opSubmitted(w, r, h.opAgainSearch)
	if !ok || !p.requestOK() {
		return
	}
	number := strings.Join(strings.Fields(p.f.Get("passport_number")), "")
	req, replayed, err := h.Operator.Confirm(r.Context(), p.actor(), p.requestID(), p.get("account_id"), number)
	p.answer("confirm", req, replayed, err, opIDs())
}

// opAgainSearch answers a refused confirmation on the search page: the operator searches
// again to see the profile.
func (h *Handler) opAgainSearch(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	for _, m := range v.Summary {
		v.Alert = strings.TrimSpace(v.Alert + " " + m.Text)
	}
	v.Summary, v.errs, v.Form = nil, nil, nil
	h.renderHome(w, r, status, v, d)
}

// opRestoreForm shows the form to restore access to an account.
func (h *Handler) opRestoreForm(w http.ResponseWriter, r *http.Request) {
	h.opFormPage(w, r, "title_op_restore", url.Values{"account_id": {r.URL.Query().Get("account")}}, h.renderRestore)
}

func (h *Handler) renderRestore(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	fd := newFormData(v, d, opRestoreFields)
	fd.TempPass = v.Val("temp_password") != ""
	v.Data = fd
	v.Next = "/operator"
	h.render(w, r, status, "operator_restore", v)
}

// opRestore sets a temporary password and/or new contacts.
func (h *Handler) opRestore(w http.ResponseWriter, r *http.Request) {
	p, ok := h.opSubmitted(w, r, h.renderRestore)
	if !ok || !p.requestOK() {
		return
	}
	in := operator.RestoreInput{AccountID: p.get("account_id"), TempPassword: p.f.Get("temp_password") != "",
		NewPhone: p.get("new_phone"), NewEmail: p.get("new_email")}
	if !in.TempPassword && in.NewPhone == "" && in.NewEmail == "" {
		v := h.newView(r, "title_op_restore")
		v.Form, v.Alert = p.f, v.T("op_problem_restore_nothing")
		p.again(v, http.StatusUnprocessableEntity)
		return
	}
	req, replayed, err := h.Operator.Restore(r.Context(), p.actor(), p.requestID(), in)
	p.answer("restore", req, replayed, err, opIDs("account_id", "new_phone", "new_email"))
}

// opDuplicateForm shows the form to remove a duplicate account.
func (h *Handler) opDuplicateForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	values := url.Values{"keep_id": {q.Get("keep")}, "remove_id": {q.Get("remove")}}
	h.opFormPage(w, r, "title_op_duplicate", values, h.renderDuplicate)
}

func (h *Handler) renderDuplicate(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	v.Data = newFormData(v, d, opDuplicateFields)
	v.Next = "/operator"
	h.render(w, r, status, "operator_duplicate", v)
}

// opDuplicate removes the duplicate account of the same person.
func (h *Handler) opDuplicate(w http.ResponseWriter, r *http.Request) {
	p, ok := h.opSubmitted(w, r, h.renderDuplicate)
	if !ok || !p.requestOK() {
		return
	}
	req, replayed, err := h.Operator.RemoveDuplicate(r.Context(), p.actor(), p.requestID(),
		p.get("keep_id"), p.get("remove_id"))
	p.answer("duplicate", req, replayed, err, opIDs("keep_id", "remove_id"))
}
