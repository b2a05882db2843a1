package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/flow"
	"github.com/civis-id/civis/internal/httpx"
)

// fieldIDs maps a domain field name to the element id of its input on the page; "" means the
// page has no input for it, and its error is shown as an alert.
type fieldIDs func(field string) string

// sameIDs is the mapping of pages whose inputs are named like the domain fields.
func sameIDs(field string) string { return field }

// codeProblems are flow errors about the code field rather than the whole form.
var codeProblems = map[string]bool{"code_invalid": true, "code_expired": true, "code_attempts_exceeded": true}

// link is a link on the error page; Text is a message id.
type link struct{ Href, Text string }

// flowEnds are flow errors after which the form cannot be used again, with where to go.
var flowEnds = map[string][]link{
	"registration_not_found":     {{"/register", "link_register_again"}},
	"registration_expired":       {{"/register", "link_register_again"}},
	"registration_completed":     {{"/login", "link_login"}},
	"contact_already_registered": {{"/login", "link_login"}, {"/register", "link_register_again"}},
}

// fail shows err on the page: see explain.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, page string, v *view, err error, ids fieldIDs) {
	if status, ok := h.explain(w, r, v, err, ids); ok {
		h.render(w, r, status, page, v)
	}
}

// explain puts err on v (field errors by ids, or an alert) and returns the status to render
// the page with. It answers by itself, with ok false, when the flow cannot go on (the error
// page) or the error is unexpected (a logged 500).
func (h *Handler) explain(w http.ResponseWriter, r *http.Request, v *view, err error, ids fieldIDs) (status int, ok bool) {
	p, known := httpx.ProblemFor(err)
	if !known {
		h.internal(w, r, err)
		return 0, false
	}
	if links, end := flowEnds[p.Code]; end {
		h.errorPage(w, r, p.Status, "problem_"+p.Code, links...)
		return 0, false
	}
	for _, f := range p.Errors {
		v.showError(ids(f.Field), fieldMessage(v, f.Code))
	}
	switch {
	case p.Code == "rate_limited":
		wait := retryAfter(err)
		setRetryAfter(w, wait)
		v.Alert = waitMessage(v, wait)
	case codeProblems[p.Code]:
		v.showError(ids("code"), v.T("problem_"+p.Code))
	case len(p.Errors) == 0:
		v.Alert = v.T("problem_" + p.Code)
	}
	return p.Status, true
}

// showError puts msg next to the input id, or in the alert when there is none.
func (v *view) showError(id, msg string) {
	if id == "" {
		v.Alert = msg
		return
	}
	v.addFieldError(id, msg)
}

// fieldMessage translates a field error code, with a generic text for an unknown one.
func fieldMessage(v *view, code string) string {
	msg := v.T("field_" + code)
	if strings.HasPrefix(msg, missingMark) {
		return v.T("field_invalid")
	}
	return msg
}

// setRetryAfter sets the Retry-After header to d, in whole seconds rounded up.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
}

func retryAfter(err error) time.Duration {
	var fe *flow.Error
	if errors.As(err, &fe) && fe.RetryAfter > 0 {
		return fe.RetryAfter
	}
	return time.Minute
}

// waitMessage says how long to wait, in seconds under a minute and in minutes above.
func waitMessage(v *view, d time.Duration) string {
	if d < time.Minute {
		return v.T("problem_rate_limited_seconds", "Count", max(1, int(math.Ceil(d.Seconds()))))
	}
	return v.T("problem_rate_limited_minutes", "Count", int(math.Ceil(d.Minutes())))
}

// errorData is the content of the error page.
type errorData struct {
	Message   string
	RequestID string
	Links     []link
}

// errorPage renders the error page with a translated message and links onward.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msgID string, links ...link) {
	v := h.newView(r, "title_error")
	d := errorData{Message: v.T(msgID)}
	if status >= http.StatusInternalServerError {
		d.RequestID = httpx.RequestID(r.Context())
	}
	if len(links) == 0 {
		links = []link{{"/", "link_home"}}
	}
	for _, l := range links {
		d.Links = append(d.Links, link{Href: l.Href, Text: v.T(l.Text)})
	}
	v.Data = d
	h.render(w, r, status, "error", v)
}

// internal logs an unexpected error with the request id only, and shows the generic 500 page.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.log().ErrorContext(r.Context(), "page failed", "request_id", httpx.RequestID(r.Context()),
		"route", r.Pattern, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "problem_internal_error")
}

// forbidden answers a cross-origin form post.
func (h *Handler) forbidden(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusForbidden, "problem_forbidden")
}
