package adminapi

import (
	"errors"
	"math"
	"mime"
	"net/http"
	"slices"

	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/store"
)

// MaxImportBody is the largest CSV body POST /api/v1/admin/centers/import accepts.
const MaxImportBody = 8 << 20

// CenterRequest is the body of POST /api/v1/admin/centers and PUT /api/v1/admin/centers/{id}.
// id may be left out (POST: generated; PUT: the path's); timezone and phone may be left out.
type CenterRequest struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Address  string   `json:"address"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Hours    string   `json:"hours"`
	TimeZone string   `json:"timezone"`
	Phone    string   `json:"phone"`
	Services []string `json:"services"`
}

// Input converts the request for center.Service.
func (q *CenterRequest) Input() center.Input {
	deg := func(p *float64) float64 {
		if p == nil {
			return math.NaN() // not given
		}
		return *p
	}
	return center.Input{ID: q.ID, Name: q.Name, Address: q.Address, Lat: deg(q.Lat), Lon: deg(q.Lon), Hours: q.Hours,
		TimeZone: q.TimeZone, Phone: q.Phone, Services: q.Services}
}

// Center is a center as the admin API and `civis centers show --json` present it.
type Center struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Address   string   `json:"address"`
	Lat       float64  `json:"lat"`
	Lon       float64  `json:"lon"`
	Hours     string   `json:"hours"`
	TimeZone  string   `json:"timezone"`
	Phone     string   `json:"phone"`
	Services  []string `json:"services"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

// CenterList is the answer of GET /api/v1/admin/centers.
type CenterList struct {
	Centers []Center `json:"centers"`
}

// ImportResult is the answer of POST /api/v1/admin/centers/import.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// CenterView presents c.
func CenterView(c *center.Center) Center {
	return Center{ID: c.ID, Name: c.Name, Address: c.Address, Lat: c.Lat, Lon: c.Lon, Hours: c.Hours.String(),
		TimeZone: c.Hours.Zone, Phone: c.Phone, Services: nonNil(c.Services),
		CreatedAt: rfc3339(c.CreatedAt), UpdatedAt: rfc3339(c.UpdatedAt)}
}

// centerProblem writes the problem for a center error: an unknown center, or what httpx
// makes of it (field errors, rows[N].column for an import; else an internal error, logged).
func (h *Handler) centerProblem(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		httpx.WriteProblem(w, httpx.NewProblem("not_found", "no center has this id"))
		return
	}
	httpx.WriteError(w, r, h.Logger, err)
}

// centerPath answers /api/v1/admin/centers/import with another method than POST as an unknown
// API path: "import" is never a center id (center.ReservedIDs).
func centerPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(center.ReservedIDs, r.PathValue("id")) {
			httpx.WriteProblem(w, httpx.NewProblem("not_found", "no such API endpoint"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// centers answers 404 when the node has no directory, and reports whether it has.
func (h *Handler) centers(w http.ResponseWriter) bool {
	if h.Centers == nil {
		httpx.WriteProblem(w, httpx.NewProblem("not_found", "the directory of centers is not enabled"))
		return false
	}
	return true
}

func (h *Handler) listCenters(w http.ResponseWriter, r *http.Request) {
	if !h.centers(w) {
		return
	}
	list, err := h.Centers.List(r.Context())
	if err != nil {
		h.centerProblem(w, r, err)
		return
	}
	out := CenterList{Centers: []Center{}}
	for _, c := range list {
		out.Centers = append(out.Centers, CenterView(c))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) createCenter(w http.ResponseWriter, r *http.Request) {
	var in CenterRequest
	if !h.centers(w) {
		return
	}
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	c, err := h.Centers.Create(r.Context(), in.Input())
	if err != nil {
		h.centerProblem(w, r, err)
		return
	}
	h.Logger.InfoContext(r.Context(), "admin API: center created", "center_id", c.ID, "request_id", httpx.RequestID(r.Context()))
	w.Header().Set("Location", "/api/v1/admin/centers/"+c.ID)
	httpx.WriteJSON(w, http.StatusCreated, CenterView(c))
}

func (h *Handler) getCenter(w http.ResponseWriter, r *http.Request) {
	if !h.centers(w) {
		return
	}
	// From the store, not the cache: an administrator wants what is stored now.
	c, err := h.Centers.Store.GetCenter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.centerProblem(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, CenterView(c))
}

func (h *Handler) updateCenter(w http.ResponseWriter, r *http.Request) {
	var in CenterRequest
	if !h.centers(w) {
		return
	}
	if p := httpx.DecodeJSON(w, r, &in); p != nil {
		httpx.WriteProblem(w, p)
		return
	}
	c, err := h.Centers.Update(r.Context(), r.PathValue("id"), in.Input())
	if err != nil {
		h.centerProblem(w, r, err)
		return
	}
	h.Logger.InfoContext(r.Context(), "admin API: center updated", "center_id", c.ID, "request_id", httpx.RequestID(r.Context()))
	httpx.WriteJSON(w, http.StatusOK, CenterView(c))
}

func (h *Handler) deleteCenter(w http.ResponseWriter, r *http.Request) {
	if !h.centers(w) {
		return
	}
	id := r.PathValue("id")
	if err := h.Centers.Delete(r.Context(), id); err != nil {
		h.centerProblem(w, r, err)
		return
	}
	h.Logger.InfoContext(r.Context(), "admin API: center deleted", "center_id", id, "request_id", httpx.RequestID(r.Context()))
	w.WriteHeader(http.StatusNoContent)
}

// importCenters takes a CSV file in the format of center.Columns: every row or none.
func (h *Handler) importCenters(w http.ResponseWriter, r *http.Request) {
	if !h.centers(w) {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/csv" {
		httpx.WriteProblem(w, httpx.NewProblem("unsupported_media_type", "send the file as Content-Type: text/csv"))
		return
	}
	res, err := h.Centers.ImportCSV(r.Context(), http.MaxBytesReader(w, r.Body, MaxImportBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		httpx.WriteProblem(w, httpx.NewProblem("body_too_large", "the file must be at most 8 MiB"))
		return
	}
	if err != nil {
		h.centerProblem(w, r, err)
		return
	}
	h.Logger.InfoContext(r.Context(), "admin API: centers imported", "created", res.Created, "updated", res.Updated,
		"request_id", httpx.RequestID(r.Context()))
	httpx.WriteJSON(w, http.StatusOK, ImportResult{Created: res.Created, Updated: res.Updated})
}
