package web

import (
	"net/http"
	"net/url"

	"github.com/civis-id/civis/internal/flow"
)

// landing welcomes a visitor; a signed-in citizen goes to the cabinet.
func (h *Handler) landing(w http.ResponseWriter, r *http.Request) {
	if h.signedIn(r) {
		seeOther(w, r, "/cabinet")
		return
	}
	h.render(w, r, http.StatusOK, "landing", h.newView(r, "title_landing"))
}

// registerForm shows the first registration step: names and contacts.
func (h *Handler) registerForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "register", h.newView(r, "title_register"))
}

// registerFields are the inputs of the registration form.
var registerFields = []string{"last_name", "first_name", "middle_name", "phone", "email"}

// register starts a registration flow and goes to its code page.
func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	f := r.PostForm
	in := flow.RegistrationInput{
		LastName: f.Get("last_name"), FirstName: f.Get("first_name"), MiddleName: f.Get("middle_name"),
		Phone: f.Get("phone"), Email: f.Get("email"),
	}
	reg, err := h.Flows.StartRegistration(r.Context(), in, h.meta(r))
	if err != nil {
		v := h.newView(r, "title_register")
		v.Next, v.Form = "/register", url.Values{}
		for _, name := range registerFields {
			v.Form.Set(name, f.Get(name))
		}
		h.fail(w, r, "register", v, err, sameIDs)
		return
	}
	seeOther(w, r, registrationPath(reg.ID, ""))
}

// registrationPath is the path of a registration page; step "" is the code page.
func registrationPath(id, step string) string {
	p := "/register/" + url.PathEscape(id)
	if step != "" {
		p += "/" + step
	}
	return p
}
