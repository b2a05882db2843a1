package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/staff"
)

// staffData is the content of a center_admin's staff page.
type staffData struct {
	Center string
	Rows   []staffRow
	Login  input
}

// staffRow is one staff member in the list.
type staffRow struct {
	AccountID, Name, Login, Role string
	Since                        stamp
	Removable, Self              bool
}

// opAdmin is opGate for the staff pages: only a center_admin gets them, others a page not
// found.
func (h *Handler) opAdmin(w http.ResponseWriter, r *http.Request) (*desk, bool) {
	d, ok := h.opGate(w, r, false)
	if !ok {
		return nil, false
	}
	if d.member.Role != staff.CenterAdmin {
		h.notFound(w, r)
		return nil, false
	}
	return d, true
}

// opStaff lists the center's staff, with forms to add and remove operators.
func (h *Handler) opStaff(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opAdmin(w, r)
	if !ok {
		return
	}
	v := h.newView(r, "title_op_staff")
	switch r.URL.Query().Get("done") {
	case "added":
		v.Notice = v.T("op_notice_staff_added")
	case "removed":
		v.Notice = v.T("op_notice_staff_removed")
	}
	h.renderStaff(w, r, http.StatusOK, v, d)
}

func (h *Handler) renderStaff(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	rows, err := h.StaffDesk.List(r.Context(), d.member.CenterID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	sd := staffData{Center: d.center, Login: opInput(v, "login", "text", 320, true)}
	for _, m := range rows {
		row := staffRow{AccountID: m.AccountID, Role: v.T("op_role_" + string(m.Role)), Since: v.stamp(m.CreatedAt),
			Removable: m.Role == staff.Operator, Self: m.AccountID == d.acc.ID}
		if m.Account != nil {
			row.Name = strings.Join(nonEmpty(m.Account.LastName, m.Account.FirstName, m.Account.MiddleName), " ")
			row.Login = staffLogin(m.Account)
		}
		sd.Rows = append(sd.Rows, row)
	}
	v.Data = sd
	v.Next = "/operator/staff"
	h.render(w, r, status, "operator_staff", v)
}

// staffLogin shows a staff member's login, masked.
func staffLogin(acc *account.Account) string {
	for _, k := range []account.ContactKind{account.Email, account.Phone} {
		if c, ok := acc.Contact(k); ok && c.Verified {
			return maskContact(c.Kind, c.Value)
		}
	}
	return ""
}

// opStaffAdd makes the account with the login typed an operator of the center.
func (h *Handler) opStaffAdd(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opAdmin(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	login := strings.TrimSpace(r.PostForm.Get("login"))
	v := h.newView(r, "title_op_staff")
	v.Form = r.PostForm
	if login == "" {
		v.addFieldError("op-login", v.T("field_required"))
		h.renderStaff(w, r, http.StatusUnprocessableEntity, v, d)
		return
	}
	_, err := h.StaffDesk.AddByLogin(r.Context(), d.member, login, d.member.CenterID, staff.Operator)
	if errors.Is(err, staff.ErrNoAccount) || errors.Is(err, staff.ErrForbidden) {
		h.staffAddRefused(w, r, v, d)
		return
	}
	if err != nil {
		h.staffFailed(w, r, v, d, err)
		return
	}
	seeOther(w, r, "/operator/staff?done=added")
}

// staffAddRefused answers an addition that cannot be made. Whether a Civis account has the
// login is not the center's business (a search at the workstation answers that, with a reason,
// on the citizen's record): an unknown login, staff of another center and a center_admin get
// the same answer.
func (h *Handler) staffAddRefused(w http.ResponseWriter, r *http.Request, v *view, d *desk) {
	v.addFieldError("op-login", v.T("op_field_login_cannot_add"))
	h.renderStaff(w, r, http.StatusUnprocessableEntity, v, d)
}

// opStaffRemove ends an operator's membership.
func (h *Handler) opStaffRemove(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opAdmin(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	v := h.newView(r, "title_op_staff")
	if err := h.StaffDesk.Remove(r.Context(), d.member, r.PostForm.Get("account_id")); err != nil {
		h.staffFailed(w, r, v, d, err)
		return
	}
	seeOther(w, r, "/operator/staff?done=removed")
}

// staffFailed shows on the staff page why a removal was refused; any other failure is an
// internal error.
func (h *Handler) staffFailed(w http.ResponseWriter, r *http.Request, v *view, d *desk, err error) {
	status := http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, staff.ErrForbidden):
		status, v.Alert = http.StatusForbidden, v.T("op_problem_staff_forbidden")
	case errors.Is(err, staff.ErrNotStaff):
		status, v.Alert = http.StatusNotFound, v.T("op_problem_not_staff")
	default:
		h.internal(w, r, err)
		return
	}
	h.renderStaff(w, r, status, v, d)
}
