package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/notice"
	"github.com/civis-id/civis/internal/session"
	"github.com/civis-id/civis/internal/store"
)

// accountData is the content of the account page: signed-in devices, notification settings,
// the secret question, and links to the other account-care pages.
type accountData struct {
	Sessions    []sessionRow
	Prefs       []prefRow
	HasPhone    bool
	HasEmail    bool
	Question    string
	HasQuestion bool
	QForm       []input // question, answer, current password
}

// sessionRow is one signed-in device.
type sessionRow struct {
	ID, Device, IP  string
	Started, Used   stamp
	Current         bool
	ButtonDescribed string
}

// prefRow is one kind of notice with its channels.
type prefRow struct {
	Kind, Label string
	SMS, Email  bool
}

// citizenAccount returns the signed-in citizen's active account, or sends the browser to
// sign in.
func (h *Handler) citizenAccount(w http.ResponseWriter, r *http.Request) (*account.Account, bool) {
	sess, ok := h.careSession(w, r)
	if !ok {
		return nil, false
	}
	return h.activeAccount(w, r, sess)
}

// activeAccount loads the signed-in citizen's account; a deleted one ends the session.
func (h *Handler) activeAccount(w http.ResponseWriter, r *http.Request, sess *session.Session) (*account.Account, bool) {
	acc, err := h.Accounts.GetAccount(r.Context(), sess.AccountID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && acc.State != account.Active) {
		h.endSession(w)
		seeOther(w, r, "/login")
		return nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	return acc, true
}

// account shows the account page.
func (h *Handler) account(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "title_account")
	if n := r.URL.Query().Get("done"); n != "" && v.Has("account_notice_"+n) {
		v.Notice = v.T("account_notice_" + n)
	}
	h.renderAccount(w, r, http.StatusOK, v)
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, v *view) {
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	acc, ok := h.activeAccount(w, r, sess)
	if !ok {
		return
	}
	d, err := h.accountView(r.Context(), v, sess, acc)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	v.Data = d
	v.Next = "/account"
	h.render(w, r, status, "account", v)
}

func (h *Handler) accountView(ctx context.Context, v *view, sess *session.Session, acc *account.Account) (accountData, error) {
	var d accountData
	all, err := h.Sessions.ListAccountSessions(ctx, acc.ID)
	if err != nil {
		return d, err
	}
	for _, s := range all {
		d.Sessions = append(d.Sessions, sessionRow{ID: s.ID, Device: deviceWords(v, s.UserAgent), IP: s.IP,
			Started: v.stamp(s.CreatedAt), Used: v.stamp(s.LastSeenAt), Current: s.ID == sess.ID})
	}
	prefs, err := h.Settings.NotificationPrefs(ctx, acc.ID)
	if err != nil {
		return d, err
	}
	for _, k := range notice.Kinds {
		c := prefs[k]
		d.Prefs = append(d.Prefs, prefRow{Kind: string(k), Label: v.T("account_notice_kind_" + string(k)), SMS: c.SMS, Email: c.Email})
	}
	for _, c := range acc.Contacts {
		d.HasPhone = d.HasPhone || (c.Kind == account.Phone && c.Verified)
		d.HasEmail = d.HasEmail || (c.Kind == account.Email && c.Verified)
	}
	if d.Question, d.HasQuestion, err = h.Settings.Question(ctx, acc.ID); err != nil {
		return d, err
	}
	d.QForm = []input{textInput(v, "question", "text", "off", 200, false), textInput(v, "answer", "text", "off", 100, true),
		textInput(v, "current_password", "password", "current-password", 1024, false)}
	d.QForm[0].Value = v.Val("question")
	if v.Val("question") == "" && d.HasQuestion {
		d.QForm[0].Value = d.Question
	}
	return d, nil
}

// deviceWords names a session's device: "Firefox 128, Linux", or "unknown device".
func deviceWords(v *view, ua string) string {
	d := session.ParseUserAgent(ua)
	parts := nonEmpty(d.Browser, d.OS)
	if len(parts) == 0 {
		return v.T("account_device_unknown")
	}
	return strings.Join(parts, ", ")
}

// accountEndSession signs one device out.
func (h *Handler) accountEndSession(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	id := r.PostForm.Get("session_id")
	err := h.Sessions.RevokeOne(r.Context(), sess.AccountID, id)
	switch {
	case errors.Is(err, session.ErrNotFound): // ended already, e.g. in another tab
		seeOther(w, r, "/account")
	case err != nil:
		h.internal(w, r, err)
	case id == sess.ID:
		h.endSession(w)
		seeOther(w, r, "/")
	default:
		seeOther(w, r, "/account?done=session_ended")
	}
}

// accountEndAll signs out every other device, or every device with everywhere=1.
func (h *Handler) accountEndAll(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	except := sess.ID
	if r.PostForm.Get("everywhere") == "1" {
		except = ""
	}
	if _, err := h.Sessions.RevokeAll(r.Context(), sess.AccountID, except); err != nil {
		h.internal(w, r, err)
		return
	}
	if except == "" {
		h.endSession(w)
		seeOther(w, r, "/")
		return
	}
	seeOther(w, r, "/account?done=others_ended")
}

// accountNotifications saves the notification settings: a ticked box is a channel on.
func (h *Handler) accountNotifications(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	p := notice.Prefs{}
	for _, k := range notice.Kinds {
		p[k] = notice.Channels{SMS: r.PostForm.Get(string(k)+"_sms") == "1", Email: r.PostForm.Get(string(k)+"_email") == "1"}
	}
	if _, err := h.Settings.SetNotificationPrefs(r.Context(), sess, p, h.meta(r)); err != nil {
		h.internal(w, r, err)
		return
	}
	seeOther(w, r, "/account?done=notifications")
}

// accountSecretQuestion sets, replaces or (with remove=1) removes the secret question, after
// the password again.
func (h *Handler) accountSecretQuestion(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	err := h.reauth(r, sess)
	done := "question_set"
	if err == nil && f.Get("remove") == "1" {
		err, done = h.Settings.RemoveSecretQuestion(r.Context(), sess, h.meta(r)), "question_removed"
	} else if err == nil {
		err = h.Settings.SetSecretQuestion(r.Context(), sess, f.Get("question"), f.Get("answer"), h.meta(r))
	}
	if err != nil {
		v := h.newView(r, "title_account")
		v.Form = url.Values{"question": {f.Get("question")}}
		if status, ok := h.careExplain(w, r, v, err, questionIDs); ok {
			h.renderAccount(w, r, status, v)
		}
		return
	}
	seeOther(w, r, "/account?done="+done)
}

func questionIDs(field string) string {
	switch field {
	case "question", "answer":
		return field
	case "password":
		return "current_password"
	}
	return ""
}

// reauth checks the current password typed in a settings form (contacts and the secret
// question need a fresh sign-in; the form asks for the password instead of sending the
// citizen away to sign in again).
func (h *Handler) reauth(r *http.Request, sess *session.Session) error {
	if h.Settings.Fresh(sess) && r.PostForm.Get("current_password") == "" {
		return nil
	}
	return h.Flows.Reauthenticate(r.Context(), sess, r.PostForm.Get("current_password"), solution(r), h.meta(r))
}
