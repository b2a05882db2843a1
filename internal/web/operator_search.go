package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/civis-id/civis/internal/ident"
	"github.com/civis-id/civis/internal/operator"
)

// searchKinds are the identifiers a search takes, in the order the form offers them.
var searchKinds = []string{"snils", "passport", "phone", "email"}

// searchForm is the identifier and the reason of a search.
type searchForm struct {
	Value, Reason input
}

// maxReason bounds the reason an operator gives.
const maxReason = 200

// foundData is the content of a search's result.
type foundData struct {
	Center    string
	Found     *operator.Found
	Level     string
	Advice    string
	Checks    []checkRow
	Person    []personRow
	Reason    string
	RequestID string // for the inline confirmation form
	Confirm   input
	Prefill   []hiddenField // the register button carries the identifier searched
	Primary   string        // the action the advice names: register, confirm, restore
	KeepOrRm  string        // duplicate: "keep" for a confirmed account, else "remove"
}

type checkRow struct{ What, State, Reason string }

type personRow struct{ Label, Value, ID string }

type hiddenField struct{ Name, Value string }

// opSearch finds one account by an exact identifier, for the reason given.
func (h *Handler) opSearch(w http.ResponseWriter, r *http.Request) {
	d, ok := h.opGate(w, r, false)
	if !ok || !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	v := h.newView(r, "title_operator")
	v.Form = f
	q, reason := readSearch(v, f.Get("kind"), f.Get("value"), f.Get("reason"))
	if len(v.Summary) > 0 {
		h.renderHome(w, r, http.StatusUnprocessableEntity, v, d)
		return
	}
	found, err := h.Operator.Find(r.Context(), h.actor(r, d, reason), q)
	if err != nil {
		if status, ok := h.opExplain(w, r, v, err, searchIDs); ok {
			h.renderHome(w, r, status, v, d)
		}
		return
	}
	v = h.newView(r, "title_op_found")
	v.Data = foundView(v, d, found, reason, prefill(f.Get("kind"), q))
	v.Next = "/operator"
	h.render(w, r, http.StatusOK, "operator_found", v)
}

// readSearch reads the search form into a query, putting problems on v.
func readSearch(v *view, kind, value, reason string) (operator.Query, string) {
	var q operator.Query
	value = strings.TrimSpace(value)
	var err error
	switch kind {
	case "snils":
		q.SNILS, err = ident.NormalizeSNILS(value)
	case "phone":
		q.Phone, err = ident.NormalizePhone(value)
	case "email":
		q.Email, err = ident.NormalizeEmail(value)
	case "passport":
		q.PassportSeries, q.PassportNumber, err = splitPassport(value)
	default:
		v.addFieldError("op-kind", v.T("field_invalid_choice"))
	}
	switch {
	case value == "":
		v.addFieldError("op-value", v.T("field_required"))
	case err != nil:
		v.addFieldError("op-value", v.T("op_field_value_"+kind))
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		v.addFieldError("op-reason", v.T("op_field_reason_required"))
	} else if utf8.RuneCountInString(reason) > maxReason {
		v.addFieldError("op-reason", v.T("field_too_long"))
	}
	return q, reason
}

// errPassportFormat is a passport number that is not 4 + 6 digits.
type errPassportFormat struct{}

func (errPassportFormat) Error() string { return "passport series and number are 10 digits" }

// splitPassport reads "45 09 123456" (spaces, dashes and the № sign allowed) as a series of 4
// digits and a number of 6.
func splitPassport(s string) (series, number string, err error) {
	var digits []byte
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, byte(c))
		case c == ' ' || c == '-' || c == '№':
		default:
			return "", "", errPassportFormat{}
		}
	}
	if len(digits) != 10 {
		return "", "", errPassportFormat{}
	}
	return string(digits[:4]), string(digits[4:]), nil
}

// prefill is what the register form gets from a search that found nothing.
func prefill(kind string, q operator.Query) []hiddenField {
	switch kind {
	case "snils":
		return []hiddenField{{"snils", q.SNILS}}
	case "phone":
		return []hiddenField{{"phone", q.Phone}}
	case "email":
		return []hiddenField{{"email", q.Email}}
	case "passport":
		return []hiddenField{{"passport_series", q.PassportSeries}, {"passport_number", q.PassportNumber}}
	}
	return nil
}

func foundView(v *view, d *desk, f *operator.Found, reason string, pre []hiddenField) foundData {
	fd := foundData{Center: d.center, Found: f, Reason: reason, Prefill: pre, RequestID: newRequestID(),
		Advice: adviceWords(v, f), Confirm: opInput(v, "passport_number", "text", 20, true)}
	fd.Confirm.InputMode = "numeric"
	if f.Level != "" {
		fd.Level = v.T("level_" + string(f.Level))
	}
	switch f.Advice {
	case operator.AdviseRegister:
		fd.Primary = "register"
	case operator.AdviseConfirm:
		fd.Primary = "confirm"
	case operator.AdviseRestore, operator.AdviseRestoreDeleted:
		fd.Primary = "restore"
	}
	fd.KeepOrRm = "remove"
	if f.Level == "confirmed" {
		fd.KeepOrRm = "keep"
	}
	for _, c := range f.Checks {
		fd.Checks = append(fd.Checks, checkRow{What: opWord(v, "op_registry_", c.Registry),
			State: opWord(v, "op_check_", c.State), Reason: c.Reason})
	}
	fd.Person = personRows(v, f.Person)
	return fd
}

// personRows lists the personal data to compare with the passport, leaving out what is empty.
func personRows(v *view, p *operator.Person) []personRow {
	if p == nil {
		return nil
	}
	rows := []personRow{
		{"last_name", p.LastName, ""}, {"first_name", p.FirstName, ""}, {"middle_name", p.MiddleName, ""},
		{"birth_date", showDate(p.BirthDate), ""}, {"birth_place", p.BirthPlace, ""},
		{"gender", opWord(v, "op_gender_", p.Gender), ""}, {"snils", p.SNILS, ""},
		{"passport", strings.TrimSpace(p.Passport.Series + " " + p.Passport.Number), ""},
		{"passport_issue_date", showDate(p.Passport.IssueDate), ""}, {"passport_issuer", p.Passport.Issuer, ""},
		{"passport_department_code", p.Passport.DepartmentCode, ""}, {"phone", p.Phone, ""}, {"email", p.Email, ""},
	}
	var out []personRow
	for _, r := range rows {
		if r.Value == "" {
			continue
		}
		out = append(out, personRow{Label: v.T("op_person_" + r.Label), Value: r.Value, ID: "person-" + r.Label})
	}
	return out
}

// opWord translates prefix+value, or shows the value when the page has no word for it.
func opWord(v *view, prefix, value string) string {
	if value == "" {
		return ""
	}
	if v.Has(prefix + value) {
		return v.T(prefix + value)
	}
	return value
}

// adviceWords says what to do next in the workstation's words, or the service's message for
// an advice the page does not know.
func adviceWords(v *view, f *operator.Found) string {
	if id := "op_advice_" + string(f.Advice); f.Advice != "" && v.Has(id) {
		return v.T(id)
	}
	return f.Message
}

// searchIDs puts the reason's errors on its input and the identifier's on the value.
func searchIDs(field string) string {
	if field == "reason" {
		return "op-reason"
	}
	return "op-value"
}
