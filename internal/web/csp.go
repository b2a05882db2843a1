package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// extendCSP adds sources to one directive of the response's Content-Security-Policy, which
// the security middleware set before the page runs: a page that posts a form ending on a
// relying party (form-action) or frames its logout pages (frame-src) allows those origins and
// no others. A directive that is absent starts from 'self'. Without a policy nothing is added:
// there is nothing to relax.
func extendCSP(w http.ResponseWriter, directive string, sources []string) {
	policy := w.Header().Get("Content-Security-Policy")
	if policy == "" || len(sources) == 0 {
		return
	}
	parts := strings.Split(policy, ";")
	found := false
	for i, p := range parts {
		fields := strings.Fields(p)
		if len(fields) == 0 || !strings.EqualFold(fields[0], directive) {
			continue
		}
		found = true
		for _, s := range sources {
			if !slices.Contains(fields[1:], s) {
				fields = append(fields, s)
			}
		}
		parts[i] = " " + strings.Join(fields, " ")
	}
	if !found {
		parts = append(parts, " "+directive+" 'self' "+strings.Join(sources, " "))
	}
	w.Header().Set("Content-Security-Policy", strings.TrimSpace(strings.Join(parts, ";")))
}

// origins returns the distinct origins (scheme://host[:port]) of http and https URIs, as CSP
// sources; anything else is left out.
func origins(uris ...string) []string {
	var out []string
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !cspHost(u.Host) {
			continue
		}
		o := u.Scheme + "://" + strings.ToLower(u.Host)
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// cspHost reports whether host (with an optional port) can be written into a policy as is.
func cspHost(host string) bool {
	if host == "" {
		return false
	}
	for _, c := range host {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)
		if !ok {
			return false
		}
	}
	return true
}
