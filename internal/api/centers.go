package api

import (
	"errors"
	"math"
	"net/http"

	"github.com/civis-id/civis/internal/center"
	"github.com/civis-id/civis/internal/httpx"
	"github.com/civis-id/civis/internal/store"
)

// centerItem is a service center as the public API shows it.
type centerItem struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Address    string   `json:"address"`
	Lat        float64  `json:"lat"`
	Lon        float64  `json:"lon"`
	Phone      string   `json:"phone"`
	Services   []string `json:"services"`
	Hours      string   `json:"hours"`
	TimeZone   string   `json:"timezone"`
	OpenNow    bool     `json:"open_now"`
	DistanceKm *float64 `json:"distance_km,omitempty"`
}

type centerList struct {
	Centers []centerItem `json:"centers"`
}

func (h *Handler) centerItem(c *center.Center) centerItem {
	services := c.Services
	if services == nil {
		services = []string{}
	}
	return centerItem{ID: c.ID, Name: c.Name, Address: c.Address, Lat: c.Lat, Lon: c.Lon, Phone: c.Phone,
		Services: services, Hours: c.Hours.String(), TimeZone: c.Hours.Zone, OpenNow: h.Centers.OpenNow(c)}
}

// searchCenters finds centers by text, service and distance from a point.
func (h *Handler) searchCenters(w http.ResponseWriter, r *http.Request) {
	if h.Centers == nil {
		notFound(w, r)
		return
	}
	v := r.URL.Query()
	q, err := center.ParseQuery(v.Get("q"), v.Get("service"), v.Get("lat"), v.Get("lon"), v.Get("limit"))
	if err != nil {
		h.centerFail(w, r, err)
		return
	}
	found, err := h.Centers.Search(r.Context(), q)
	if err != nil {
		h.centerFail(w, r, err)
		return
	}
	out := centerList{Centers: []centerItem{}}
	for _, res := range found {
		item := h.centerItem(res.Center)
		if q.Near != nil {
			d := math.Round(res.DistanceKm*100) / 100
			item.DistanceKm = &d
		}
		out.Centers = append(out.Centers, item)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

func (h *Handler) getCenter(w http.ResponseWriter, r *http.Request) {
	if h.Centers == nil {
		notFound(w, r)
		return
	}
	c, err := h.Centers.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.centerFail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h.centerItem(c))
}

// centerFail answers err: an unknown center is not_found, the query's field errors are
// validation_failed (center.ValidationError is an httpx.Coded).
func (h *Handler) centerFail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		httpx.WriteProblem(w, httpx.NewProblem("not_found", "no center has this id"))
		return
	}
	h.fail(w, r, err)
}
