package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/civis-id/civis/internal/audit"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/pow"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/settings"
)

// sessionItem is one signed-in device of the citizen.
type sessionItem struct {
	ID         string `json:"id"`
	Current    bool   `json:"current"`
	Browser    string `json:"browser"`
	OS         string `json:"os"`
	IP         string `json:"ip"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at"`
	ExpiresAt  string `json:"expires_at"`
}

type sessionList struct {
	Sessions []sessionItem `json:"sessions"`
}

func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	all, err := h.Sessions.ListAccountSessions(r.Context(), sess.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := sessionList{Sessions: []sessionItem{}}
	for _, s := range all {
		d := session.ParseUserAgent(s.UserAgent)
		out.Sessions = append(out.Sessions, sessionItem{ID: s.ID, Current: s.ID == sess.ID, Browser: d.Browser, OS: d.OS,
			IP: s.IP, CreatedAt: rfc3339(s.CreatedAt), LastUsedAt: rfc3339(s.LastSeenAt),
			ExpiresAt: rfc3339(h.Sessions.IdleExpiry(s))})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

type sessionsEnded struct {
	Ended int `json:"ended"`
}

// endSessions signs out everywhere else, or everywhere with ?include_current=true.
func (h *Handler) endSessions(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	except := sess.ID
	switch r.URL.Query().Get("include_current") {
	case "", "false":
	case "true":
		except = ""
	default:
		writeQueryProblem(w, "include_current", "true or false")
		return
	}
	n, err := h.Sessions.RevokeAll(r.Context(), sess.AccountID, except)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, sessionsEnded{Ended: n})
}

func (h *Handler) endSession(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	err := h.Sessions.RevokeOne(r.Context(), sess.AccountID, r.PathValue("id"))
	if errors.Is(err, session.ErrNotFound) {
		httpx.WriteProblem(w, httpx.NewProblem("not_found", "no such session of this account"))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type passwordChangeRequest struct {
	OldPassword string        `json:"old_password"`
	NewPassword string        `json:"new_password"`
	PoW         *pow.Solution `json:"pow,omitempty"`
}

type passwordChanged struct {
	SessionsEnded int `json:"sessions_ended"`
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	var in passwordChangeRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	n, err := h.Settings.ChangePassword(r.Context(), sess,
		settings.PasswordChange{Old: in.OldPassword, New: in.NewPassword, PoW: in.PoW}, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, passwordChanged{SessionsEnded: n})
}

type contactChangeRequest struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type contactChangeResponse struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	ExpiresAt string `json:"expires_at"`
}

func (h *Handler) startContactChange(w http.ResponseWriter, r *http.Request) {
	var in contactChangeRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	c, err := h.Settings.StartContactChange(r.Context(), sess, in.Kind, in.Value, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/me/contacts/"+c.ID)
	httpx.WriteJSON(w, http.StatusCreated, contactChangeResponse{ID: c.ID, Kind: string(c.Kind), ExpiresAt: rfc3339(c.ExpiresAt)})
}

type contactConfirmRequest struct {
	Code string `json:"code"`
}

func (h *Handler) confirmContactChange(w http.ResponseWriter, r *http.Request) {
	var in contactConfirmRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	acc, err := h.Settings.ConfirmContactChange(r.Context(), sess, r.PathValue("id"), in.Code, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	met, err := h.requirementsMet(r.Context(), acc.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, meBody(acc, met))
}

// channels is which channels carry notices of one kind.
type channels struct {
	SMS   bool `json:"sms"`
	Email bool `json:"email"`
}

// notificationSettings are the citizen's notification choices.
type notificationSettings struct {
	SignIn       channels `json:"sign_in"`
	Password     channels `json:"password"`
	Contact      channels `json:"contact"`
	SecondFactor channels `json:"second_factor"`
	DataReleased channels `json:"data_released"`
}

// notificationSettingsRequest changes the kinds it names; the others keep their choices.
type notificationSettingsRequest struct {
	SignIn       *channels `json:"sign_in,omitempty"`
	Password     *channels `json:"password,omitempty"`
	Contact      *channels `json:"contact,omitempty"`
	SecondFactor *channels `json:"second_factor,omitempty"`
	DataReleased *channels `json:"data_released,omitempty"`
}

func notificationBody(p notice.Prefs) notificationSettings {
	c := func(k notice.Kind) channels { return channels(p[k]) }
	return notificationSettings{SignIn: c(notice.SignIn), Password: c(notice.Password), Contact: c(notice.Contact),
		SecondFactor: c(notice.SecondFactor), DataReleased: c(notice.DataReleased)}
}

func (in notificationSettingsRequest) prefs() notice.Prefs {
	p := notice.Prefs{}
	for k, c := range map[notice.Kind]*channels{notice.SignIn: in.SignIn, notice.Password: in.Password,
		notice.Contact: in.Contact, notice.SecondFactor: in.SecondFactor, notice.DataReleased: in.DataReleased} {
		if c != nil {
			p[k] = notice.Channels(*c)
		}
	}
	return p
}

func (h *Handler) getNotifications(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	p, err := h.Settings.NotificationPrefs(r.Context(), sess.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, notificationBody(p))
}

func (h *Handler) putNotifications(w http.ResponseWriter, r *http.Request) {
	var in notificationSettingsRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	p, err := h.Settings.SetNotificationPrefs(r.Context(), sess, in.prefs(), h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, notificationBody(p))
}

type secretQuestionRequest struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// secretQuestion tells whether a question is set, and which (the answer is never shown).
type secretQuestion struct {
	Set      bool   `json:"set"`
	Question string `json:"question,omitempty"`
}

func (h *Handler) getSecretQuestion(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	q, set, err := h.Settings.Question(r.Context(), sess.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, secretQuestion{Set: set, Question: q})
}

func (h *Handler) putSecretQuestion(w http.ResponseWriter, r *http.Request) {
	var in secretQuestionRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	if err := h.Settings.SetSecretQuestion(r.Context(), sess, in.Question, in.Answer, h.meta(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.getSecretQuestion(w, r)
}

func (h *Handler) deleteSecretQuestion(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if err := h.Settings.RemoveSecretQuestion(r.Context(), sess, h.meta(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type deleteAccountRequest struct {
	Password string        `json:"password"`
	PoW      *pow.Solution `json:"pow,omitempty"`
}

type accountDeleted struct {
	EraseAfter string `json:"erase_after"`
}

func (h *Handler) deleteAccount(w http.ResponseWriter, r *http.Request) {
	var in deleteAccountRequest
	sess, ok := h.authedJSON(w, r, &in)
	if !ok {
		return
	}
	at, err := h.Deletion.Delete(r.Context(), sess, in.Password, in.PoW, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, accountDeleted{EraseAfter: rfc3339(at)})
}

// writeQueryProblem answers a wrong query parameter.
func writeQueryProblem(w http.ResponseWriter, name, want string) {
	p := httpx.NewProblem("validation_failed", "")
	p.Errors = []httpx.FieldError{{Field: name, Code: "invalid", Message: "want " + want}}
	httpx.WriteProblem(w, p)
}

// parseWhen reads a bound of the event log: an RFC 3339 time, or a date (YYYY-MM-DD, UTC),
// which as an end bound includes that whole day.
func parseWhen(s string, end bool) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, true
}

// eventQuery reads the event log's filter from the query string, or answers 422 itself.
func eventQuery(w http.ResponseWriter, r *http.Request, accountID string, maxLimit int) (audit.Query, bool) {
	q := r.URL.Query()
	out := audit.Query{AccountID: accountID, Category: audit.Category(q.Get("kind")), Limit: min(100, maxLimit)}
	if out.Category != "" && !audit.ValidCategory(out.Category) {
		writeQueryProblem(w, "kind", "one of sign_in, password, contact, second_factor, data, released, operator, account")
		return out, false
	}
	var ok1, ok2 bool
	out.From, ok1 = parseWhen(q.Get("from"), false)
	out.To, ok2 = parseWhen(q.Get("to"), true)
	if !ok1 || !ok2 {
		writeQueryProblem(w, "from", "an RFC 3339 time or a date YYYY-MM-DD")
		return out, false
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			writeQueryProblem(w, "limit", "a number from 1 to "+strconv.Itoa(maxLimit))
			return out, false
		}
		out.Limit = n
	} else if q.Get("format") == "csv" {
		out.Limit = maxLimit
	}
	return out, true
}

// eventItem is one event of the citizen's log: what happened, when, by whom, from where;
// details name data and ids, never values.
type eventItem struct {
	ID       string            `json:"id"`
	At       string            `json:"at"`
	Kind     string            `json:"kind"`
	Action   string            `json:"action"`
	Actor    string            `json:"actor"`
	IP       string            `json:"ip,omitempty"`
	Details  map[string]string `json:"details"`
	Sequence int64             `json:"seq"`
}

type eventList struct {
	Events []eventItem `json:"events"`
}

// maxEvents bounds one answer of the event log (JSON) and one export (CSV).
const maxEvents, maxExport = 1000, 10000

func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		writeQueryProblem(w, "format", "json or csv")
		return
	}
	limit := maxEvents
	if format == "csv" {
		limit = maxExport
	}
	q, ok := eventQuery(w, r, sess.AccountID, limit)
	if !ok {
		return
	}
	events, err := audit.Search(r.Context(), h.Events, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="civis-events.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		_ = audit.WriteCSV(w, events)
		return
	}
	out := eventList{Events: []eventItem{}}
	for _, e := range events {
		d := e.Details
		if d == nil {
			d = map[string]string{}
		}
		out.Events = append(out.Events, eventItem{ID: e.ID, At: e.CreatedAt.UTC().Format(time.RFC3339Nano),
			Kind: string(audit.CategoryOf(e)), Action: e.Action, Actor: e.Actor, IP: e.IP, Details: d, Sequence: e.Seq})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}
