package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/operator"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/staff"
	"github.com/civis-id/civis/internal/store"
)

// operatorRoutes are the service-center workstation (for staff who signed in with an
// authenticator app) and the activation page of citizens registered there. They are mounted
// when the Handler has the operator, staff and second-factor services.
func (h *Handler) operatorRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /operator":               h.opHome,
		"POST /operator/search":       h.opSearch,
		"GET /operator/register":      h.opRegisterForm,
		"POST /operator/register":     h.opRegister,
		"POST /operator/confirm":      h.opConfirm,
		"GET /operator/restore":       h.opRestoreForm,
		"POST /operator/restore":      h.opRestore,
		"GET /operator/duplicate":     h.opDuplicateForm,
		"POST /operator/duplicate":    h.opDuplicate,
		"GET /operator/staff":         h.opStaff,
		"POST /operator/staff/add":    h.opStaffAdd,
		"POST /operator/staff/remove": h.opStaffRemove,
		"GET /operator/step-up":       h.opStepUpForm,
		"POST /operator/step-up":      h.opStepUp,
		"POST /operator/step-up/code": h.opStepUpCode,
		"GET /activate/{token}":       h.activateForm,
		"POST /activate/{token}":      h.activate,
	}
}

// opClientID keys the workstation's requests in the ledger.
const opClientID = "workstation"

// desk is the staff member at the workstation.
type desk struct {
	sess   *session.Session
	acc    *account.Account
	member *staff.Member
	center string // the center's name (its id when the directory does not know it)
}

// actor is who acts in the operator service, with the reason the operator gave.
func (h *Handler) actor(r *http.Request, d *desk, reason string) operator.Actor {
	return operator.Actor{OperatorID: d.acc.ID, CenterID: d.member.CenterID, ClientID: opClientID,
		Reason: reason, IP: httpx.ClientIP(r, h.TrustedProxies)}
}

// opGate lets a staff member who signed in with the authenticator app in. Everyone else gets
// an answer instead: sign in first, a page not found (not staff: nothing tells that the
// workstation exists), the advice to set up an authenticator app, or the step-up sign-in
// (unless stepUp: the step-up pages themselves).
func (h *Handler) opGate(w http.ResponseWriter, r *http.Request, stepUp bool) (*desk, bool) {
	sess, ok := h.careSession(w, r)
	if !ok {
		return nil, false
	}
	acc, err := h.Accounts.GetAccount(r.Context(), sess.AccountID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && acc.State != account.Active) {
		h.notFound(w, r)
		return nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	m, err := h.Staff.Get(r.Context(), acc.ID)
	if errors.Is(err, staff.ErrNotStaff) {
		h.notFound(w, r)
		return nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	d := &desk{sess: sess, acc: acc, member: m, center: h.centerName(r.Context(), m.CenterID)}
	f, err := h.MFA.Factors(r.Context(), acc.ID)
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	if !f.TOTP {
		v := h.newView(r, "title_op_totp")
		v.Data = d.center
		h.render(w, r, http.StatusForbidden, "operator_totp", v)
		return nil, false
	}
	if !stepUp && !slices.Contains(sess.AMR, "otp") {
		seeOther(w, r, "/operator/step-up")
		return nil, false
	}
	return d, true
}

// notFound answers as for a page that does not exist.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "problem_not_found")
}

// centerName names a center for people, falling back to its id.
func (h *Handler) centerName(ctx context.Context, id string) string {
	if h.Centers != nil {
		if c, err := h.Centers.Get(ctx, id); err == nil && c.Name != "" {
			return c.Name
		}
	}
	return id
}

// newRequestID returns a fresh request id for a form: submitting the form twice sends the
// same id, and the ledger acts once.
func newRequestID() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return "ws-" + base64.RawURLEncoding.EncodeToString(b)
}

// homeData is the content of the workstation's first page.
type homeData struct {
	Center  string
	Admin   bool
	Search  searchForm
	Kinds   []kindOption
	Reasons string
}

// opHome shows the search form.
func (h *Handler) opHome(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok {
		return
	}
	v := h.newView(r, "title_operator")
	h.renderHome(w, r, http.StatusOK, v, d)
}

func (h *Handler) renderHome(w http.ResponseWriter, r *http.Request, status int, v *view, d *desk) {
	kind := v.Val("kind")
	if kind == "" {
		kind = "snils"
	}
	hd := homeData{Center: d.center, Admin: d.member.Role == staff.CenterAdmin,
		Search: searchForm{Value: opInput(v, "value", "text", 100, true), Reason: opInput(v, "reason", "text", 300, true)}}
	for _, k := range searchKinds {
		hd.Kinds = append(hd.Kinds, kindOption{Value: k, Label: v.T("op_kind_" + k), Checked: k == kind})
	}
	v.Data = hd
	v.Next = "/operator"
	h.render(w, r, status, "operator", v)
}

// opInput describes an input of the workstation's forms: element id op-<name>, labelled by
// label_op_<name>, with an optional hint hint_op_<name>.
func opInput(v *view, name, typ string, maxLen int, required bool) input {
	id := "op-" + name
	in := input{ID: id, Name: name, Type: typ, MaxLen: maxLen, Required: required, Autocomplete: "off",
		Label: v.T("label_op_" + name), Errors: v.Errs(id), Value: v.Val(name)}
	if v.Has("hint_op_" + name) {
		in.Hint = v.T("hint_op_" + name)
	}
	if !required {
		in.Optional = v.T("optional")
	}
	return in
}

// opIDs maps the operator service's field names to the workstation's inputs: passport.series
// and id_doc.series are op-passport_series; an unknown field goes to the alert.
func opIDs(known ...string) fieldIDs {
	return func(field string) string {
		name := opFieldName(field)
		if alias, ok := opAliases[name]; ok {
			name = alias
		}
		if slices.Contains(known, name) {
			return "op-" + name
		}
		return ""
	}
}

// opAliases are the service's field names that the workstation's inputs name otherwise.
var opAliases = map[string]string{"keep_account_id": "keep_id", "remove_account_id": "remove_id"}

// isStaff reports whether the account works at a service center, for the cabinet's link to
// the workstation (a failure to check shows no link).
func (h *Handler) isStaff(ctx context.Context, accountID string) bool {
	if h.Operator == nil || h.Staff == nil || h.StaffDesk == nil || h.MFA == nil {
		return false
	}
	_, err := h.Staff.Get(ctx, accountID)
	return err == nil
}
