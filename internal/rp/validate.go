package rp

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/civis-id/civis/internal/account"
)

// KnownScopes are the scopes Civis understands (DESIGN.md, Data protected by scope).
var KnownScopes = []string{"openid", "offline_access", "fullname", "birthdate", "gender", "birthplace", "snils", "inn",
	"id_doc", "email", "mobile", "addresses", "drivers_licence_doc", "medical_doc", "foreign_passport_doc",
	"military_doc", "vehicles", "usr_org"}

// ConfirmationMethods are the ways an account reaches the confirmed level.
var ConfirmationMethods = []string{"in_person", "mail_code", "e_signature", "bank"}

// FieldError is a problem with one field of an Input.
type FieldError struct{ Field, Code, Message string }

// ValidationError lists every problem with an Input.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "invalid client: " + strings.Join(parts, "; ")
}

func (e *ValidationError) add(field, code, format string, a ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, a...)})
}

var idRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{2,63}$`)

func (s *Service) build(in Input) (*Client, error) {
	v := &ValidationError{}
	c := &Client{ID: strings.TrimSpace(in.ID), Name: strings.TrimSpace(in.Name), Roles: in.Roles, Dev: in.Dev,
		BackchannelLogoutURI: in.BackchannelLogoutURI, FrontchannelLogoutURI: in.FrontchannelLogoutURI,
		JWKS: strings.TrimSpace(in.JWKS), JWKSURL: in.JWKSURL}
	if c.ID == "" {
		c.ID = newClientID()
	} else if !idRE.MatchString(c.ID) {
		v.add("id", "invalid", "3-64 letters, digits, dots, dashes or underscores")
	}
	if c.Name == "" || len(c.Name) > 200 {
		v.add("name", "required", "a name of at most 200 characters is required")
	}
	checkRoles(v, c, in)
	c.RedirectURIs = checkURIs(v, "redirect_uris", in.RedirectURIs, !c.Partner())
	c.PostLogoutRedirectURIs = checkURIs(v, "post_logout_redirect_uris", in.PostLogoutRedirectURIs, false)
	for field, u := range map[string]string{"backchannel_logout_uri": in.BackchannelLogoutURI, "frontchannel_logout_uri": in.FrontchannelLogoutURI} {
		if u != "" {
			checkURIs(v, field, []string{u}, false)
		}
	}
	c.Scopes = checkScopes(v, in.Scopes)
	c.MinLevel = checkLevel(v, in.MinLevel)
	c.AllowedMethods = checkMethods(v, in.AllowedMethods)
	c.AuthMethod = checkAuth(v, c, in.AuthMethod)
	c.SubjectType, c.SectorID = checkSubject(v, in.SubjectType, c.RedirectURIs)
	if len(v.Fields) > 0 {
		return nil, v
	}
	return c, nil
}

// checkRoles accepts the partner roles: a center's system names its center, and partners
// authenticate with private_key_jwt only.
func checkRoles(v *ValidationError, c *Client, in Input) {
	seen := map[string]bool{}
	c.Roles = nil
	for _, r := range in.Roles {
		r = strings.TrimSpace(r)
		if r != RoleCenter && r != RoleBank {
			v.add("roles", "unknown", "unknown role %q: use %s or %s", r, RoleCenter, RoleBank)
			continue
		}
		if !seen[r] {
			seen[r] = true
			c.Roles = append(c.Roles, r)
		}
	}
	c.CenterID = strings.TrimSpace(in.CenterID)
	switch {
	case seen[RoleCenter] && c.CenterID == "":
		v.add("center_id", "required", "a client with the center role names its center")
	case !seen[RoleCenter] && c.CenterID != "":
		v.add("center_id", "invalid", "only a client with the center role has a center")
	}
	if len(c.Roles) > 0 && in.AuthMethod != string(PrivateKeyJWT) {
		v.add("auth_method", "invalid", "partner clients authenticate with private_key_jwt")
	}
}

// checkURIs accepts absolute https URIs without fragments, and http ones only on loopback
// (native apps and development).
func checkURIs(v *ValidationError, field string, uris []string, required bool) []string {
	if required && len(uris) == 0 {
		v.add(field, "required", "at least one URI is required")
	}
	var out []string
	for _, raw := range uris {
		u, err := url.Parse(strings.TrimSpace(raw))
		switch {
		case err != nil || !u.IsAbs() || u.Host == "":
			v.add(field, "invalid", "%q is not an absolute URI", raw)
		case u.Fragment != "" || strings.Contains(raw, "#"):
			v.add(field, "invalid", "%q must not have a fragment", raw)
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			v.add(field, "insecure", "%q: http is allowed only on loopback; use https", raw)
		case u.Scheme != "http" && u.Scheme != "https":
			v.add(field, "invalid", "%q: use https", raw)
		default:
			out = append(out, u.String())
		}
	}
	return out
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkScopes(v *ValidationError, scopes []string) []string {
	out := []string{}
	for _, s := range scopes {
		if !slices.Contains(KnownScopes, s) {
			v.add("scopes", "unknown", "unknown scope %q", s)
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func checkLevel(v *ValidationError, level string) account.Level {
	l := account.Level(level)
	if level == "" {
		return account.Simplified
	}
	if l.Rank() == 0 {
		v.add("min_level", "invalid", "one of simplified, standard, confirmed")
	}
	return l
}

func checkMethods(v *ValidationError, methods []string) []string {
	for _, m := range methods {
		if !slices.Contains(ConfirmationMethods, m) {
			v.add("allowed_methods", "invalid", "unknown confirmation method %q (want %s)", m, strings.Join(ConfirmationMethods, ", "))
		}
	}
	return methods
}

func checkAuth(v *ValidationError, c *Client, method string) AuthMethod {
	m := AuthMethod(method)
	switch m {
	case ClientSecretBasic, ClientSecretPost, None:
	case "":
		m = ClientSecretBasic
	case PrivateKeyJWT:
		switch {
		case c.JWKS == "" && c.JWKSURL == "":
			v.add("jwks", "required", "private_key_jwt needs a JWKS or a JWKS URL")
		case c.JWKS != "":
			var set struct{ Keys []json.RawMessage }
			if json.Unmarshal([]byte(c.JWKS), &set) != nil || len(set.Keys) == 0 {
				v.add("jwks", "invalid", "not a JSON Web Key Set with at least one key")
			}
		default:
			checkURIs(v, "jwks_url", []string{c.JWKSURL}, true)
		}
	default:
		v.add("auth_method", "invalid", "one of private_key_jwt, client_secret_basic, client_secret_post, none")
	}
	return m
}

func checkSubject(v *ValidationError, st string, redirects []string) (SubjectType, string) {
	switch SubjectType(st) {
	case "", Public:
		return Public, ""
	case Pairwise:
		hosts := map[string]bool{}
		for _, r := range redirects {
			if u, err := url.Parse(r); err == nil {
				hosts[u.Hostname()] = true
			}
		}
		if len(hosts) != 1 {
			v.add("subject_type", "sector", "pairwise subjects need redirect URIs on one host (the sector)")
			return Pairwise, ""
		}
		for h := range hosts {
			return Pairwise, h
		}
	}
	v.add("subject_type", "invalid", "public or pairwise")
	return Public, ""
}
