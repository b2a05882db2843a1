package ident

import "strings"

// LoginKind names the kind of identifier a login string was read as.
type LoginKind string

// Login kinds.
const (
	LoginPhone LoginKind = "phone" // E.164 mobile number
	LoginEmail LoginKind = "email" // lower-case email address
	LoginSNILS LoginKind = "snils" // 11 SNILS digits
)

// Login is one normalised reading of what a user typed as a login.
type Login struct {
	Kind  LoginKind
	Value string
}

// LoginCandidates returns every plausible reading of s, normalised: an
// address with "@" is an email; otherwise s may be a phone number and, when
// its check digits match, also a SNILS (phone first). Unreadable input gives
// an empty slice.
func LoginCandidates(s string) []Login {
	s = strings.TrimSpace(s)
	out := []Login{}
	if strings.Contains(s, "@") {
		if v, err := NormalizeEmail(s); err == nil {
			out = append(out, Login{Kind: LoginEmail, Value: v})
		}
		return out
	}
	if v, err := NormalizePhone(s); err == nil {
		out = append(out, Login{Kind: LoginPhone, Value: v})
	}
	if v, err := NormalizeSNILS(s); err == nil {
		out = append(out, Login{Kind: LoginSNILS, Value: v})
	}
	return out
}
