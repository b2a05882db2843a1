package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/civis-id/civis/internal/audit"
)

// logData is the content of the event-log page.
type logData struct {
	Kinds    []kindOption
	From, To string
	Events   []logRow
	CSV      string // the export link with the same filter
	Full     bool   // the list was cut at logPageSize
}

// logRow is one event in words.
type logRow struct {
	At           stamp
	Kind, Action string
	Actor        string
	IP           string
}

// logPageSize is how many events the page shows; the export holds up to logExportSize.
const logPageSize, logExportSize = 200, 10000

// logQuery reads the filter of the event-log page; bad values are ignored.
func logQuery(r *http.Request, accountID string, limit int) (audit.Query, url.Values) {
	q := r.URL.Query()
	out := audit.Query{AccountID: accountID, Limit: limit}
	clean := url.Values{}
	if c := audit.Category(q.Get("kind")); audit.ValidCategory(c) {
		out.Category = c
		clean.Set("kind", string(c))
	}
	if t, err := time.Parse(time.DateOnly, q.Get("from")); err == nil {
		out.From = t
		clean.Set("from", q.Get("from"))
	}
	if t, err := time.Parse(time.DateOnly, q.Get("to")); err == nil {
		out.To = t.AddDate(0, 0, 1)
		clean.Set("to", q.Get("to"))
	}
	return out, clean
}

// accountEvents shows the event log, filtered by kind and dates.
func (h *Handler) accountEvents(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	q, clean := logQuery(r, sess.AccountID, logPageSize)
	events, err := audit.Search(r.Context(), h.EventLog, q)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	v := h.newView(r, "title_account_events")
	v.Form = clean
	d := logData{From: clean.Get("from"), To: clean.Get("to"), Full: len(events) == logPageSize,
		CSV: "/account/events.csv?" + clean.Encode()}
	d.Kinds = append(d.Kinds, kindOption{Value: "", Label: v.T("account_log_all"), Checked: q.Category == ""})
	for _, c := range audit.Categories {
		d.Kinds = append(d.Kinds, kindOption{Value: string(c), Label: v.T("account_log_kind_" + string(c)), Checked: c == q.Category})
	}
	for _, e := range events {
		row := logRow{At: v.stamp(e.CreatedAt), Kind: v.T("account_log_kind_" + string(audit.CategoryOf(e))),
			Action: h.eventWords(r.Context(), v, e), Actor: actorWords(v, e.Actor), IP: e.IP}
		if action, actor, ok := bankEventWords(v, e); ok {
			row.Action, row.Actor = action, actor
		}
		d.Events = append(d.Events, row)
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "account_events", v)
}

// actionWords says what an action is, or shows its name when the page has no words for it.
func actionWords(v *view, action string) string {
	id := "account_action_" + dotless(action)
	if v.Has(id) {
		return v.T(id)
	}
	return action
}

func actorWords(v *view, actor string) string {
	switch {
	case actor == "self", actor == "system":
		return v.T("account_actor_" + actor)
	case len(actor) > 9 && actor[:9] == "operator:":
		return v.T("account_actor_operator")
	case len(actor) > 7 && actor[:7] == "client:":
		return v.T("account_actor_client", "Site", actor[7:])
	}
	return actor
}

func dotless(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '.' {
			b[i] = '_'
		}
	}
	return string(b)
}

// accountEventsCSV exports the filtered event log as CSV.
func (h *Handler) accountEventsCSV(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	q, _ := logQuery(r, sess.AccountID, logExportSize)
	events, err := audit.Search(r.Context(), h.EventLog, q)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="civis-events.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := audit.WriteCSV(w, events); err != nil {
		h.log().WarnContext(r.Context(), "write event export", "err", err)
	}
}
