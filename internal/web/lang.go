package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// setLang remembers the language chosen in the header's switch and returns to the page.
func (h *Handler) setLang(w http.ResponseWriter, r *http.Request) {
	if !h.parseForm(w, r) {
		return
	}
	if lang := r.PostForm.Get("lang"); slices.Contains(languages, lang) {
		h.setLangCookie(w, lang)
	}
	seeOther(w, r, safeNext(r.PostForm.Get("next")))
}

// safeNext returns next when it is a path on this site, and "/" otherwise, so that the switch
// cannot send the browser elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return u.RequestURI()
}
