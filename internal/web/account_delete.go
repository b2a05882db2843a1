package web

import (
	"net/http"

	"github.com/civis-id/civis/internal/pow"
)

// deleteData is the content of the delete-account page.
type deleteData struct {
	Password input
	PoW      *pow.Challenge // after repeated wrong passwords
	Until    string         // until when a service center can restore the account
}

func (h *Handler) accountDeleteForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.careSession(w, r); !ok {
		return
	}
	h.renderDelete(w, r, http.StatusOK, h.newView(r, "title_account_delete"), nil)
}

func (h *Handler) renderDelete(w http.ResponseWriter, r *http.Request, status int, v *view, ch *pow.Challenge) {
	v.Data = deleteData{Password: textInput(v, "current_password", "password", "current-password", 1024, false), PoW: ch,
		Until: v.when(h.Deletion.Now().Add(h.Deletion.Retention))}
	v.Next = "/account/delete"
	h.render(w, r, status, "account_delete", v)
}

// accountDelete deletes the account after the password again, and signs the browser out.
func (h *Handler) accountDelete(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	sess, ok := h.careSession(w, r)
	if !ok {
		return
	}
	until, err := h.Deletion.Delete(r.Context(), sess, r.PostForm.Get("current_password"), solution(r), h.meta(r))
	if err != nil {
		v := h.newView(r, "title_account_delete")
		if status, ok := h.careExplain(w, r, v, err, questionIDs); ok {
			h.renderDelete(w, r, status, v, powOf(err))
		}
		return
	}
	h.endSession(w)
	v := h.newView(r, "title_account_deleted")
	v.Data = deleteData{Until: v.when(until)}
	v.Next = "/"
	h.render(w, r, http.StatusOK, "account_deleted", v)
}
