package adminapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/rp"
)

// ClientRequest is the body of POST /api/v1/admin/clients; every field but name and
// redirect_uris may be left out.
type ClientRequest struct {
	ID                     string          `json:"id"`
	Name                   string          `json:"name"`
	RedirectURIs           []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris"`
	BackchannelLogoutURI   string          `json:"backchannel_logout_uri"`
	FrontchannelLogoutURI  string          `json:"frontchannel_logout_uri"`
	Scopes                 []string        `json:"scopes"`
	MinLevel               string          `json:"min_level"`
	AllowedMethods         []string        `json:"allowed_methods"`
	AuthMethod             string          `json:"auth_method"`
	JWKS                   json.RawMessage `json:"jwks"`
	JWKSURL                string          `json:"jwks_url"`
	SubjectType            string          `json:"subject_type"`
	Roles                  []string        `json:"roles"`
	CenterID               string          `json:"center_id,omitempty"`
}

// Input converts the request for rp.Service.Create.
func (q *ClientRequest) Input() rp.Input {
	jwks := string(bytes.TrimSpace(q.JWKS))
	if jwks == "null" {
		jwks = ""
	}
	return rp.Input{ID: q.ID, Name: q.Name, RedirectURIs: q.RedirectURIs, PostLogoutRedirectURIs: q.PostLogoutRedirectURIs,
		BackchannelLogoutURI: q.BackchannelLogoutURI, FrontchannelLogoutURI: q.FrontchannelLogoutURI, Scopes: q.Scopes,
		MinLevel: q.MinLevel, AllowedMethods: q.AllowedMethods, AuthMethod: q.AuthMethod, JWKS: jwks, JWKSURL: q.JWKSURL,
		SubjectType: q.SubjectType, Roles: q.Roles, CenterID: q.CenterID}
}

// Client is a registered client as the API and `civis clients show --json` present it: never
// with its secret.
type Client struct {
	ID                     string          `json:"id"`
	Name                   string          `json:"name"`
	RedirectURIs           []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris"`
	BackchannelLogoutURI   string          `json:"backchannel_logout_uri,omitempty"`
	FrontchannelLogoutURI  string          `json:"frontchannel_logout_uri,omitempty"`
	Scopes                 []string        `json:"scopes"`
	MinLevel               string          `json:"min_level"`
	AllowedMethods         []string        `json:"allowed_methods"`
	AuthMethod             string          `json:"auth_method"`
	JWKS                   json.RawMessage `json:"jwks,omitempty"`
	JWKSURL                string          `json:"jwks_url,omitempty"`
	SubjectType            string          `json:"subject_type"`
	SectorID               string          `json:"sector_id,omitempty"`
	Roles                  []string        `json:"roles"`
	CenterID               string          `json:"center_id,omitempty"`
	Dev                    bool            `json:"dev"`
	CreatedAt              string          `json:"created_at"`
	UpdatedAt              string          `json:"updated_at"`
}

// CreatedClient is a new client with its secret, which is shown only this once.
type CreatedClient struct {
	Client
	ClientSecret string `json:"client_secret,omitempty"`
}

// ClientList is the answer of GET /api/v1/admin/clients.
type ClientList struct {
	Clients []Client `json:"clients"`
}

// Secret is a newly issued client secret.
type Secret struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// View presents c without its secret hash. Lists are never null.
func View(c *rp.Client) Client {
	v := Client{ID: c.ID, Name: c.Name, RedirectURIs: nonNil(c.RedirectURIs),
		PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs), BackchannelLogoutURI: c.BackchannelLogoutURI,
		FrontchannelLogoutURI: c.FrontchannelLogoutURI, Scopes: nonNil(c.Scopes), MinLevel: string(c.MinLevel),
		AllowedMethods: nonNil(c.AllowedMethods), AuthMethod: string(c.AuthMethod), JWKSURL: c.JWKSURL,
		SubjectType: string(c.SubjectType), SectorID: c.SectorID, Roles: nonNil(c.Roles), CenterID: c.CenterID, Dev: c.Dev,
		CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(c.UpdatedAt)}
	if json.Valid([]byte(c.JWKS)) {
		v.JWKS = json.RawMessage(c.JWKS)
	}
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// UsesSecret reports whether c authenticates with a client secret.
func UsesSecret(c *rp.Client) bool {
	return c.AuthMethod == rp.ClientSecretBasic || c.AuthMethod == rp.ClientSecretPost
}

func (h *Handler) createClient(w http.ResponseWriter, r *http.Request) {
	var in ClientRequest
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	c, secret, err := h.Clients.Create(r.Context(), in.Input())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Clients.Forget(c.ID)
	h.Logger.InfoContext(r.Context(), "admin API: client created", "client_id", c.ID, "request_id", httpx.RequestID(r.Context()))
	w.Header().Set("Location", "/api/v1/admin/clients/"+c.ID)
	httpx.WriteJSON(w, http.StatusCreated, CreatedClient{Client: View(c), ClientSecret: secret})
}

func (h *Handler) listClients(w http.ResponseWriter, r *http.Request) {
	list, err := h.Clients.Store.ListClients(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := ClientList{Clients: []Client{}}
	for _, c := range list {
		out.Clients = append(out.Clients, View(c))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) getClient(w http.ResponseWriter, r *http.Request) {
	// From the store, not the cache: an administrator wants what is registered now.
	c, err := h.Clients.Store.GetClient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, View(c))
}

func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := h.Clients.Delete(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.Clients.Forget(id)
	h.Logger.InfoContext(r.Context(), "admin API: client deleted", "client_id", id, "request_id", httpx.RequestID(r.Context()))
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := h.Clients.Store.GetClient(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !UsesSecret(c) {
		httpx.WriteProblem(w, httpx.NewProblem("client_has_no_secret", "this client authenticates with "+string(c.AuthMethod)))
		return
	}
	secret, err := h.Clients.RotateSecret(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Clients.Forget(id)
	h.Logger.InfoContext(r.Context(), "admin API: client secret rotated", "client_id", id, "request_id", httpx.RequestID(r.Context()))
	httpx.WriteJSON(w, http.StatusOK, Secret{ClientID: id, ClientSecret: secret})
}
