package oidc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/civis-id/civis/internal/grant"
	"github.com/civis-id/civis/internal/session"
)

// Mount registers the provider's endpoints and discovery on mux.
func (p *Provider) Mount(mux *http.ServeMux) {
	mux.Handle("/oidc/", p.op)
	mux.Handle(PathAuthorize, p.withIss(p.authorizeParams(p.op)))
	mux.Handle(PathUserinfo, userinfoCORS.Handler(http.HandlerFunc(p.serveUserinfo)))
	mux.Handle(PathIntrospect, clientAuthCompat(p.op))
	mux.Handle(PathRevoke, clientAuthCompat(p.op))
	mux.Handle(PathCallback, p.withIss(p.op))
	mux.Handle(PathEndSession, p.withBrowserSession(p.op))
	mux.HandleFunc("POST "+PathPAR, p.pushed)
	mux.HandleFunc("GET "+PathDiscovery, p.discovery)
}

type claimsKey struct{}

// claimsACRFrom returns the essential acr values of the request's claims parameter.
func claimsACRFrom(ctx context.Context) ([]string, bool) {
	claims, _ := ctx.Value(claimsKey{}).(map[string]map[string]*claimRequest)
	return parseClaimsACR(claims)
}

const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// authorizeParams expands a pushed request (request_uri) into the query and passes the
// claims parameter, which the library does not parse, to CreateAuthRequest.
func (p *Provider) authorizeParams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ru := r.URL.Query().Get("request_uri"); strings.HasPrefix(ru, requestURIPrefix) {
			if !p.expandPushed(w, r, strings.TrimPrefix(ru, requestURIPrefix)) {
				return
			}
		}
		_ = r.ParseForm()
		if raw := r.Form.Get("claims"); raw != "" {
			var claims map[string]map[string]*claimRequest
			if json.Unmarshal([]byte(raw), &claims) == nil {
				r = r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (p *Provider) expandPushed(w http.ResponseWriter, r *http.Request, id string) bool {
	pr, err := p.Pushed.TakePushed(r.Context(), id)
	if err != nil || !p.Now().Before(pr.ExpiresAt) || pr.ClientID != r.URL.Query().Get("client_id") {
		http.Error(w, "invalid_request_uri: unknown, used or expired request_uri", http.StatusBadRequest)
		return false
	}
	r.URL.RawQuery = pr.Params
	r.Form, r.PostForm = nil, nil
	return true
}

// pushed implements RFC 9126: the client posts its authorization request and gets a
// request_uri valid for 60 seconds and one use.
func (p *Provider) pushed(w http.ResponseWriter, r *http.Request) {
	clientID, authenticated, err := op.ClientIDFromRequest(r, p.op)
	if err != nil {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	c, err := p.Clients.Get(r.Context(), clientID)
	if err != nil {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	if !authenticated && !c.Public() {
		if secret := r.PostForm.Get("client_secret"); secret == "" || p.st.AuthorizeClientIDSecret(r.Context(), clientID, secret) != nil {
			writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
			return
		}
	}
	form := url.Values{}
	for k, v := range r.PostForm {
		switch k {
		case "client_secret", "client_assertion", "client_assertion_type", "request_uri":
			continue
		}
		form[k] = v
	}
	form.Set("client_id", clientID)
	if !slices.Contains(c.RedirectURIs, form.Get("redirect_uri")) {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "redirect_uri is not registered for this client")
		return
	}
	id := strings.ReplaceAll(uuid.NewString(), "-", "") + strings.ReplaceAll(uuid.NewString(), "-", "")
	const ttl = 60 * time.Second
	if err := p.Pushed.SavePushed(r.Context(), &grant.Pushed{ID: id, ClientID: clientID, Params: form.Encode(), ExpiresAt: p.Now().UTC().Add(ttl)}); err != nil {
		p.Logger.Error("save pushed request", "err", err)
		writeOAuthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"request_uri": requestURIPrefix + id, "expires_in": int(ttl.Seconds())})
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// withIss adds the iss parameter (RFC 9207) to authorization responses, so that a client
// talking to several providers can tell which one answered.
func (p *Provider) withIss(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&issWriter{ResponseWriter: w, iss: p.cfg.Issuer}, r)
	})
}

type issWriter struct {
	http.ResponseWriter
	iss  string
	done bool
}

func (w *issWriter) WriteHeader(code int) {
	if !w.done && code >= 300 && code < 400 {
		if loc := w.Header().Get("Location"); loc != "" {
			w.Header().Set("Location", addIss(loc, w.iss))
		}
	}
	w.done = true
	w.ResponseWriter.WriteHeader(code)
}

func addIss(loc, iss string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	q := u.Query()
	if q.Get("code") == "" && q.Get("error") == "" || q.Get("iss") != "" {
		return loc
	}
	q.Set("iss", iss)
	u.RawQuery = q.Encode()
	return u.String()
}

type browserSessionKey struct{}

// withBrowserSession passes the browser's Civis session to TerminateSessionFromRequest.
func (p *Provider) withBrowserSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.BrowserSession != nil {
			if s := p.BrowserSession(r); s != nil {
				r = r.WithContext(context.WithValue(r.Context(), browserSessionKey{}, s))
			}
		}
		next.ServeHTTP(w, r)
	})
}

func browserSession(ctx context.Context) *session.Session {
	s, _ := ctx.Value(browserSessionKey{}).(*session.Session)
	return s
}

// discovery serves the library's discovery document with what Civis adds.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), p.cfg.Issuer)
	d := op.CreateDiscoveryConfig(ctx, p.op, p.op.Storage())
	doc, err := json.Marshal(d)
	if err != nil {
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
	}
	var m map[string]any
	_ = json.Unmarshal(doc, &m)
	m["pushed_authorization_request_endpoint"] = p.cfg.Issuer + PathPAR
	m["authorization_response_iss_parameter_supported"] = true
	m["claims_parameter_supported"] = true
	m["request_parameter_supported"] = false
	m["request_uri_parameter_supported"] = false
	m["acr_values_supported"] = []string{ACRSimplified, ACRStandard, ACRConfirmed, AAL1, AAL2, AAL2PHR, AAL3,
		"http://eidas.europa.eu/LoA/low", "http://eidas.europa.eu/LoA/substantial"}
	m["subject_types_supported"] = []string{"public", "pairwise"}
	m["grant_types_supported"] = []string{"authorization_code", "refresh_token"}
	m["response_types_supported"] = []string{"code"}
	m["response_modes_supported"] = []string{"query"}
	m["code_challenge_methods_supported"] = []string{"S256"}
	delete(m, "device_authorization_endpoint")
	m["token_endpoint_auth_signing_alg_values_supported"] = []string{"ES256", "RS256"}
	secretMethods := []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}
	m["introspection_endpoint_auth_methods_supported"] = secretMethods
	m["revocation_endpoint_auth_methods_supported"] = secretMethods
	m["introspection_endpoint_auth_signing_alg_values_supported"] = []string{"ES256", "RS256"}
	m["revocation_endpoint_auth_signing_alg_values_supported"] = []string{"ES256", "RS256"}
	m["frontchannel_logout_supported"] = true
	m["frontchannel_logout_session_supported"] = true
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_ = json.NewEncoder(w).Encode(m)
}

// clientAuthCompat lets clients authenticate at introspection and revocation with
// client_secret_post, as they can at the token endpoint (the library reads only Basic and
// JWT there), and answers a refused client with a JSON OAuth error instead of plain text.
func clientAuthCompat(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("Authorization") == "" && r.ParseForm() == nil {
			id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
			if id != "" && secret != "" {
				r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
				r.PostForm.Del("client_secret")
				r.Form.Del("client_secret")
			}
		}
		next.ServeHTTP(&jsonAuthError{ResponseWriter: w}, r)
	})
}

// jsonAuthError turns the library's plain-text 401 into an RFC 6749 invalid_client answer.
type jsonAuthError struct {
	http.ResponseWriter
	swallow bool
}

func (w *jsonAuthError) WriteHeader(code int) {
	if code == http.StatusUnauthorized && !strings.Contains(w.Header().Get("Content-Type"), "json") {
		w.swallow = true
		w.Header().Set("WWW-Authenticate", `Basic realm="civis"`)
		writeOAuthError(w.ResponseWriter, code, "invalid_client", "client authentication failed")
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *jsonAuthError) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
