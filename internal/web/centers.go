package web

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/civis-id/civis/internal/center"
)

// centersPageSize is how many centers the page lists.
const centersPageSize = 50

// centersData is the content of the directory page.
type centersData struct {
	Q        string
	Services []kindOption
	Lat, Lon string
	Searched bool // the form was sent (or the page was linked with a filter)
	Near     bool // results are ordered by distance
	Results  []centerRow
}

// centerRow is one center in words.
type centerRow struct {
	ID, Name, Address string
	Phone             string
	PhoneHref         template.URL // tel: with digits only
	Hours             string
	OtherZone         string // the time zone, when it is not the default
	Services          []string
	Open              bool
	Distance          string
}

// centers lists service centers: searched by words, filtered by service, ordered by distance
// from lat/lon when the query has them. It is a GET form, so it works without JavaScript; the
// page's script only fills lat/lon from the browser's location.
func (h *Handler) centers(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "title_centers")
	qv := r.URL.Query()
	d := centersData{Q: qv.Get("q"), Lat: qv.Get("lat"), Lon: qv.Get("lon"),
		Searched: qv.Has("q") || qv.Has("service") || qv.Has("lat")}
	q, err := center.ParseQuery(d.Q, qv.Get("service"), d.Lat, d.Lon, "")
	status := http.StatusOK
	if err != nil {
		var ve *center.ValidationError
		if !errors.As(err, &ve) {
			h.internal(w, r, err)
			return
		}
		status = http.StatusUnprocessableEntity
		centersErrors(v, ve)
		// List what the valid parts of the query find.
		q = center.Query{}
		if !slices.ContainsFunc(ve.Fields, func(f center.FieldError) bool { return f.Field == "q" }) {
			q.Text = d.Q
		}
		if center.KnownService(qv.Get("service")) {
			q.Service = qv.Get("service")
		}
	}
	q.Limit = centersPageSize
	d.Services = serviceOptions(v, q.Service)
	found, err := h.Centers.Search(r.Context(), q)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	d.Near = q.Near != nil
	for _, res := range found {
		d.Results = append(d.Results, h.centerRow(v, res, d.Near))
	}
	v.Data = d
	h.render(w, r, status, "centers", v)
}

// centersErrors shows the query's problems on its fields.
func centersErrors(v *view, ve *center.ValidationError) {
	for _, f := range ve.Fields {
		msg := "centers_error_" + f.Field
		if f.Code == "required" {
			msg = "centers_error_pair"
		}
		v.showError("centers-"+f.Field, v.T(msg))
	}
}

func serviceOptions(v *view, selected string) []kindOption {
	out := []kindOption{{Value: "", Label: v.T("centers_service_any"), Checked: selected == ""}}
	for _, s := range center.AllServices {
		out = append(out, kindOption{Value: s, Label: v.T("centers_service_" + s), Checked: s == selected})
	}
	return out
}

func (h *Handler) centerRow(v *view, res center.Result, near bool) centerRow {
	c := res.Center
	row := centerRow{ID: c.ID, Name: c.Name, Address: c.Address, Phone: c.Phone, PhoneHref: telURL(c.Phone),
		Hours: c.Hours.Format(dayNames(v), "–"), Open: h.Centers.OpenNow(c)}
	if c.Hours.Zone != center.DefaultTimeZone {
		row.OtherZone = c.Hours.Zone
	}
	for _, s := range c.Services {
		row.Services = append(row.Services, v.T("centers_service_"+s))
	}
	if near {
		row.Distance = distanceWords(v, res.DistanceKm)
	}
	return row
}

// dayNames are the short day names of the page's language, indexed by time.Weekday.
func dayNames(v *view) [7]string {
	var out [7]string
	for i, d := range center.DayNames {
		out[i] = v.T("centers_day_" + strings.ToLower(d))
	}
	return out
}

// distanceWords says a distance: metres below 1 km, else kilometres with one decimal.
func distanceWords(v *view, km float64) string {
	if km < 1 {
		return v.T("centers_distance_m", "M", strconv.Itoa(int(km*1000/10+0.5)*10))
	}
	s := strconv.FormatFloat(km, 'f', 1, 64)
	if v.Lang == "ru" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return v.T("centers_distance_km", "Km", s)
}

// telURL returns a tel: link of a phone's digits and leading plus ("" when there are none).
func telURL(phone string) template.URL {
	var b strings.Builder
	for i, r := range phone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return template.URL("tel:" + b.String()) // digits only: safe as a URL
}
