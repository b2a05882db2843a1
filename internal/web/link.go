package web

import (
	"net/http"

	"github.com/civis-id/civis/internal/account"
)

// linkData is the content of the page behind the one-click email link.
type linkData struct {
	ID, Channel, Code, Masked string
}

// confirmLink is where the link in the code email leads. A GET must not change state, so it
// shows the code in a form with one button that posts it to confirm.
func (h *Handler) confirmLink(w http.ResponseWriter, r *http.Request) {
	reg, ok := h.liveRegistration(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	kind, code := q.Get("channel"), q.Get("code")
	c := reg.Contact(account.ContactKind(kind))
	if c == nil || c.Confirmed || !sixDigits(code) {
		seeOther(w, r, registrationPath(reg.ID, ""))
		return
	}
	v := h.newView(r, "title_confirm_link")
	v.Data = linkData{ID: reg.ID, Channel: kind, Code: code, Masked: maskContact(c.Kind, c.Value)}
	h.render(w, r, http.StatusOK, "confirm_link", v)
}

func sixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
