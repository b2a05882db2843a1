package web

import (
	"slices"
	"strings"
	"time"

	"github.com/civis-id/civis/internal/account"
)

// scopeWords are the data scopes of DESIGN.md ("Data protected by scope") in the order the
// pages list them; each has a message "scope_<name>" (a consent line) and "data_<name>" (the
// same data in the middle of a sentence).
var scopeWords = []string{"fullname", "birthdate", "gender", "birthplace", "snils", "inn", "id_doc", "email",
	"mobile", "addresses", "drivers_licence_doc", "medical_doc", "foreign_passport_doc", "military_doc",
	"vehicles", "usr_org"}

// claimScope maps a released claim to the scope whose words name it; claims of the openid
// scope (identifier and level) map to "".
var claimScope = map[string]string{
	"family_name": "fullname", "given_name": "fullname", "middle_name": "fullname",
	"birthdate": "birthdate", "gender": "gender", "birthplace": "birthplace", "snils": "snils", "inn": "inn",
	"id_doc": "id_doc", "email": "email", "email_verified": "email", "phone_number": "mobile",
	"phone_number_verified": "mobile", "address": "addresses", "drivers_licence_doc": "drivers_licence_doc",
	"medical_doc": "medical_doc", "foreign_passport_doc": "foreign_passport_doc", "military_doc": "military_doc",
	"vehicles": "vehicles", "usr_org": "usr_org",
	"sub": "", "acr": "", "amr": "", "aal": "", "trusted": "", "confirmation_method": "", "sid": "",
}

// scopeLines returns one consent line per scope, in the pages' order; a scope without a
// translation is shown by its name.
func scopeLines(v *view, scopes []string) []string {
	return wordsFor(v, "scope_", orderScopes(scopes))
}

// claimWords names the data of space-separated claim names, grouped by scope, leaving out
// the identifier and level claims; unknown claims are shown by their names.
func claimWords(v *view, claims string) []string {
	var scopes []string
	for _, c := range strings.Fields(claims) {
		s, known := claimScope[c]
		if !known {
			s = c
		}
		if s != "" && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return wordsFor(v, "data_", orderScopes(scopes))
}

// orderScopes sorts scopes in the order of scopeWords, unknown ones last.
func orderScopes(scopes []string) []string {
	out := slices.Clone(scopes)
	rank := func(s string) int {
		if i := slices.Index(scopeWords, s); i >= 0 {
			return i
		}
		return len(scopeWords)
	}
	slices.SortStableFunc(out, func(a, b string) int { return rank(a) - rank(b) })
	return out
}

func wordsFor(v *view, prefix string, names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if v.Has(prefix + n) {
			out = append(out, v.T(prefix+n))
		} else {
			out = append(out, n)
		}
	}
	return out
}

// methodWords names a confirmation method ("at a service center"), or returns it as is.
func methodWords(v *view, method string) string {
	if v.Has("method_" + method) {
		return v.T("method_" + method)
	}
	return method
}

// levelWords names an account level, or an acr URI of one.
func levelWords(v *view, level string) string {
	l := strings.TrimPrefix(level, "urn:civis:loa:")
	if v.Has("level_" + l) {
		return v.T("level_" + l)
	}
	return level
}

// stepsTo lists what account a needs to reach level target, level by level, in the cabinet's
// words.
func (h *Handler) stepsTo(v *view, a *account.Account, target account.Level) []string {
	var out []string
	cur := *a
	for cur.Level.Rank() < target.Rank() {
		next, needs, ok := cur.NextLevel()
		if !ok {
			break
		}
		for _, n := range needs {
			out = append(out, h.needText(v, n))
		}
		cur.Level = next
	}
	return out
}

// when formats a time for the citizen, in the server's time zone.
func (v *view) when(t time.Time) string {
	if v.Lang == "en" {
		return t.Local().Format("2 Jan 2006, 15:04")
	}
	return t.Local().Format("02.01.2006 15:04")
}

// stamp is a time shown on a page: the text and the machine-readable value.
type stamp struct{ Text, ISO string }

func (v *view) stamp(t time.Time) stamp {
	return stamp{Text: v.when(t), ISO: t.UTC().Format(time.RFC3339)}
}
