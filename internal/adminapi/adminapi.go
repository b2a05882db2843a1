package adminapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"

	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/letters"
	"github.com/civis-id/civis/internal/rp"
	"github.com/civis-id/civis/internal/store"
)

// Handler serves the admin API.
type Handler struct {
	Clients *rp.Service
	Logger  *slog.Logger
	// Letters, when set, takes the post's tracking updates of registered letters.
	Letters *letters.Service
	// Centers, when set, manages the directory of service centers.
	Centers *center.Service

	tokenHash [sha256.Size]byte // only the hash of the admin token is kept
}

// New returns a Handler that accepts the bearer token token (which must not be empty).
func New(token string, clients *rp.Service, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{Clients: clients, Logger: log, tokenHash: sha256.Sum256([]byte(token))}
}

// Mount registers the admin routes on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/admin/clients", h.auth(h.createClient))
	mux.Handle("GET /api/v1/admin/clients", h.auth(h.listClients))
	mux.Handle("GET /api/v1/admin/clients/{id}", h.auth(h.getClient))
	mux.Handle("DELETE /api/v1/admin/clients/{id}", h.auth(h.deleteClient))
	mux.Handle("POST /api/v1/admin/clients/{id}/secret", h.auth(h.rotateSecret))
	mux.Handle("GET /api/v1/admin/centers", h.auth(h.listCenters))
	mux.Handle("POST /api/v1/admin/centers", h.auth(h.createCenter))
	mux.Handle("POST /api/v1/admin/centers/import", h.auth(h.importCenters))
	mux.Handle("GET /api/v1/admin/centers/{id}", centerPath(h.auth(h.getCenter)))
	mux.Handle("PUT /api/v1/admin/centers/{id}", centerPath(h.auth(h.updateCenter)))
	mux.Handle("DELETE /api/v1/admin/centers/{id}", centerPath(h.auth(h.deleteCenter)))
	mux.Handle("POST /api/v1/admin/letters/tracking", h.auth(h.letterTracking))
}

// auth lets a request through only with the admin bearer token. Hashing the presented token
// first makes the comparison constant-time whatever its length.
func (h *Handler) auth(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := httpx.BearerToken(r)
		sum := sha256.Sum256([]byte(tok))
		if subtle.ConstantTimeCompare(sum[:], h.tokenHash[:]) != 1 || tok == "" {
			h.Logger.WarnContext(r.Context(), "admin API: refused token", "request_id", httpx.RequestID(r.Context()),
				"path", r.URL.Path, "remote", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="civis-admin"`)
			httpx.WriteProblem(w, httpx.NewProblem("unauthorized", "send Authorization: Bearer <admin token>"))
			return
		}
		next(w, r)
	})
}

// fail writes the problem for err: field errors, a taken id, an unknown client, or an
// internal error (logged).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *rp.ValidationError
	switch {
	case errors.As(err, &ve):
		p := httpx.NewProblem("validation_failed", "")
		for _, f := range ve.Fields {
			p.Errors = append(p.Errors, httpx.FieldError(f))
		}
		httpx.WriteProblem(w, p)
	case errors.Is(err, store.ErrConflict):
		httpx.WriteProblem(w, httpx.NewProblem("client_exists", "a client with this id is already registered"))
	case errors.Is(err, store.ErrNotFound):
		httpx.WriteProblem(w, httpx.NewProblem("not_found", "no client has this id"))
	default:
		httpx.WriteError(w, r, h.Logger, err)
	}
}
