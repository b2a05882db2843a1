package oidc

import (
	"slices"
	"strings"

	"github.com/civis-id/civis/internal/account"
	"github.com/civis-id/civis/internal/rp"
)

// ACR URIs of the account levels (DESIGN.md, Contracts).
const (
	ACRSimplified = "urn:civis:loa:simplified"
	ACRStandard   = "urn:civis:loa:standard"
	ACRConfirmed  = "urn:civis:loa:confirmed"
)

// AAL URIs of the authentication levels (DOMAIN.md 4.4).
const (
	AAL1    = "urn:civis:aal:1"
	AAL2    = "urn:civis:aal:2"
	AAL2PHR = "urn:civis:aal:2-phr"
	AAL3    = "urn:civis:aal:3"
)

// ACRFor is the acr URI of a level.
func ACRFor(l account.Level) string { return "urn:civis:loa:" + string(l) }

// levelOfACR maps a requested acr value to the account level it needs; eIDAS URIs are
// aliases (low = standard, substantial = confirmed; high cannot be met). ok is false for
// values that are not identity levels.
func levelOfACR(v string) (level account.Level, satisfiable, ok bool) {
	switch v {
	case ACRSimplified:
		return account.Simplified, true, true
	case ACRStandard, "http://eidas.europa.eu/LoA/low":
		return account.Standard, true, true
	case ACRConfirmed, "http://eidas.europa.eu/LoA/substantial":
		return account.Confirmed, true, true
	case "http://eidas.europa.eu/LoA/high":
		return account.Confirmed, false, true
	}
	return "", false, false
}

// aalRank orders authentication levels; 0 for values that are not AAL URIs.
func aalRank(v string) int {
	return slices.Index([]string{AAL1, AAL2, AAL2PHR, AAL3}, v) + 1
}

// AALOf is the authentication level reached by the methods in amr.
func AALOf(amr []string) string {
	has := func(m string) bool { return slices.Contains(amr, m) }
	switch {
	case has("hwk") && has("pin") && has("sc"):
		return AAL3
	case has("hwk") || has("swk"):
		return AAL2PHR
	case has("mfa"):
		return AAL2
	}
	return AAL1
}

// Requirement is what a client demands of the account and of the sign-in.
type Requirement struct {
	MinLevel     account.Level // lowest acceptable identity level
	Satisfiable  bool          // false when only levels Civis cannot assert were asked
	MinAAL       string        // "" when no authentication level was asked
	Methods      []string      // accepted confirmation methods (empty = all)
	RequestedACR []string      // the identity values asked, for the error page
}

// Require combines the client's minimum level, the acr_values of the request and the values
// of an essential acr claim. A request's values are alternatives: the lowest one the account
// can meet suffices; the result is never below the client's own minimum.
func Require(c *rp.Client, acrValues, essential []string) Requirement {
	req := Requirement{MinLevel: c.MinLevel, Satisfiable: true, Methods: c.AllowedMethods}
	if req.MinLevel == "" {
		req.MinLevel = account.Simplified
	}
	for _, values := range [][]string{acrValues, essential} {
		lowest, anyLevel, anySat := account.Level(""), false, false
		for _, v := range values {
			if r := aalRank(v); r > 0 {
				if r > aalRank(req.MinAAL) {
					req.MinAAL = v
				}
				continue
			}
			l, sat, ok := levelOfACR(v)
			if !ok {
				continue
			}
			anyLevel = true
			req.RequestedACR = append(req.RequestedACR, v)
			if sat && (!anySat || l.Rank() < lowest.Rank()) {
				lowest, anySat = l, true
			}
		}
		if anyLevel && !anySat {
			req.Satisfiable = false
		}
		if anySat && lowest.Rank() > req.MinLevel.Rank() {
			req.MinLevel = lowest
		}
	}
	return req
}

// EffectiveLevel is the level an account counts as for a client: a confirmed account whose
// confirmation method the client refuses counts as standard.
func EffectiveLevel(a *account.Account, methods []string) account.Level {
	if a.Level == account.Confirmed && len(methods) > 0 && !slices.Contains(methods, a.ConfirmationMethod) {
		return account.Standard
	}
	return a.Level
}

// Unmet says why an account does not meet a requirement, or "" when it does.
func (r Requirement) Unmet(a *account.Account, amr []string) string {
	switch {
	case !r.Satisfiable:
		return "level_unavailable"
	case EffectiveLevel(a, r.Methods).Rank() < r.MinLevel.Rank():
		if a.Level == account.Confirmed {
			return "method_refused"
		}
		return "level_too_low"
	case r.MinAAL != "" && aalRank(AALOf(amr)) < aalRank(r.MinAAL):
		return "aal_too_low"
	}
	return ""
}

// parseClaimsACR reads the essential acr values from an OIDC claims request parameter
// ({"id_token":{"acr":{"essential":true,"values":[...]}}}, also under "userinfo").
func parseClaimsACR(claims map[string]map[string]*claimRequest) (values []string, essential bool) {
	for _, part := range []string{"id_token", "userinfo"} {
		c := claims[part]["acr"]
		if c == nil || !c.Essential {
			continue
		}
		essential = true
		if c.Value != "" {
			values = append(values, c.Value)
		}
		values = append(values, c.Values...)
	}
	return values, essential
}

type claimRequest struct {
	Essential bool     `json:"essential"`
	Value     string   `json:"value"`
	Values    []string `json:"values"`
}

// joinScopes is the space-separated scope string.
func joinScopes(s []string) string { return strings.Join(s, " ") }
