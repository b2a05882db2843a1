package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/letters"
)

// letterRoutes are the pages of identity confirmation by a code in a registered letter,
// mounted when the Handler has the letters service.
func (h *Handler) letterRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /account/letter":          h.letterPage,
		"POST /account/letter":         h.letterOrder,
		"POST /account/letter/confirm": h.letterConfirm,
	}
}

// letterFields are the inputs of the order form, in the form's order.
var letterFields = []struct {
	id       string
	auto     string
	maxLen   int
	required bool
}{
	{"postcode", "postal-code", 6, true},
	{"region", "address-level1", 200, true},
	{"city", "address-level2", 200, true},
	{"street", "address-line1", 200, true},
	{"house", "off", 20, true},
	{"flat", "off", 20, false},
}

// letterData is the content of /account/letter.
type letterData struct {
	Level     string // simplified, standard or confirmed
	LevelText string
	Method    string // how a confirmed account was confirmed, in words
	Letter    *letterRow
	CanOrder  bool
	Reason    string // why a letter cannot be ordered now, in words
	CodeForm  bool
	Address   []input
	Code      input
	Centers   bool // the directory of centers exists: link to it
}

// letterRow is the newest letter.
type letterRow struct {
	State, StateText, Tracking string
	Address                    []string
	Ordered                    stamp
	Sent, Delivered, Expires   *stamp
}

func (h *Handler) letterPage(w http.ResponseWriter, r *http.Request) {
	acc, ok := h.citizenAccount(w, r)
	if !ok {
		return
	}
	v := h.newView(r, "title_letter")
	if r.URL.Query().Get("ordered") != "" {
		v.Notice = v.T("letter_notice_ordered")
	}
	h.renderLetter(w, r, http.StatusOK, v, acc)
}

func (h *Handler) renderLetter(w http.ResponseWriter, r *http.Request, status int, v *view, acc *account.Account) {
	st, err := h.Letters.Status(r.Context(), acc.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	d := letterData{Level: string(acc.Level), LevelText: v.T("level_" + string(acc.Level)), CanOrder: st.CanOrder,
		Centers: h.Centers != nil}
	if acc.Level == account.Confirmed {
		d.Method = v.T("letter_method_" + acc.ConfirmationMethod)
	}
	if !st.CanOrder && st.Reason != "" && st.Reason != "already_confirmed" {
		d.Reason = v.T("letter_reason_"+st.Reason, "When", v.when(st.NextOrderAt))
	}
	if l := st.Letter; l != nil {
		d.Letter = letterView(v, l, st.State)
		d.CodeForm = st.State.CodeValid() && acc.Level == account.Standard
	}
	if v.Form == nil {
		a := st.Prefill
		v.Form = url.Values{"postcode": {a.Postcode}, "region": {a.Region}, "city": {a.City},
			"street": {a.Street}, "house": {a.House}, "flat": {a.Flat}}
	}
	for _, f := range letterFields {
		in := input{ID: f.id, Name: f.id, Type: "text", Autocomplete: f.auto, MaxLen: f.maxLen, Required: f.required,
			Label: v.T("letter_label_" + f.id), Errors: v.Errs(f.id), Value: v.Val(f.id)}
		if !f.required {
			in.Optional = v.T("optional")
		}
		if f.id == "postcode" {
			in.InputMode = "numeric"
		}
		d.Address = append(d.Address, in)
	}
	d.Code = input{ID: "code", Name: "code", Type: "text", Autocomplete: "off", MaxLen: 20, Required: true,
		Label: v.T("letter_label_code"), Hint: v.T("letter_hint_code"), Errors: v.Errs("code")}
	v.Data = d
	v.Next = "/account/letter"
	h.render(w, r, status, "letters", v)
}

func letterView(v *view, l *letters.Letter, state letters.State) *letterRow {
	row := &letterRow{State: string(state), StateText: v.T("letter_state_" + string(state)),
		Tracking: l.TrackingNumber, Address: l.Address.Lines(), Ordered: v.stamp(l.OrderedAt)}
	if !l.SentAt.IsZero() {
		s := v.stamp(l.SentAt)
		row.Sent = &s
	}
	if !l.DeliveredAt.IsZero() {
		s := v.stamp(l.DeliveredAt)
		row.Delivered = &s
	}
	if !l.ExpiresAt.IsZero() && state.CodeValid() {
		s := v.stamp(l.ExpiresAt)
		row.Expires = &s
	}
	return row
}

// letterOrder orders a letter to the address in the form.
func (h *Handler) letterOrder(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	acc, ok := h.citizenAccount(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	addr := letters.Address{Postcode: f.Get("postcode"), Region: f.Get("region"), City: f.Get("city"),
		Street: f.Get("street"), House: f.Get("house"), Flat: f.Get("flat")}
	if _, err := h.Letters.Order(r.Context(), acc.ID, addr, h.meta(r)); err != nil {
		v := h.newView(r, "title_letter")
		v.Form = url.Values{}
		for _, fl := range letterFields {
			v.Form.Set(fl.id, f.Get(fl.id))
		}
		h.letterFail(w, r, v, acc, err)
		return
	}
	seeOther(w, r, "/account/letter?ordered=1")
}

// letterConfirm checks the code from the letter; the right one confirms the account.
func (h *Handler) letterConfirm(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	acc, ok := h.citizenAccount(w, r)
	if !ok {
		return
	}
	if err := h.Letters.Confirm(r.Context(), acc.ID, r.PostForm.Get("code"), h.meta(r)); err != nil {
		h.letterFail(w, r, h.newView(r, "title_letter"), acc, err)
		return
	}
	seeOther(w, r, "/cabinet")
}

// letterFail shows err on the letter page: field errors next to their inputs (in the page's
// own words first), the rest as an alert.
func (h *Handler) letterFail(w http.ResponseWriter, r *http.Request, v *view, acc *account.Account, err error) {
	var ve *flow.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			msg := fieldMessage(v, f.Code)
			if v.Has("letter_field_" + f.Code) {
				msg = v.T("letter_field_" + f.Code)
			}
			v.showError(f.Field, msg)
		}
		h.renderLetter(w, r, http.StatusUnprocessableEntity, v, acc)
		return
	}
	if status, ok := h.explain(w, r, v, err, sameIDs); ok {
		h.renderLetter(w, r, status, v, acc)
	}
}
