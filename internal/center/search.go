package center

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Paging of searches.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	maxQueryText = 100
)

// Point is a place on Earth in WGS 84 degrees.
type Point struct{ Lat, Lon float64 }

// Query is a search of the directory. The zero Query lists the first DefaultLimit centers by
// name.
type Query struct {
	Text    string // words that must all occur in the name or the address, in any case
	Service string // only centers offering it (empty: any)
	Near    *Point // order by distance from here (nil: by name)
	Limit   int    // at most this many (0: DefaultLimit)
}

// Result is one center found, with its distance from the query's point (when it had one).
type Result struct {
	Center     *Center
	DistanceKm float64
}

// ParseQuery reads a search from its text form, as the page and the API receive it: the
// words q, a service, the point lat and lon (both or neither), and a limit. Problems are a
// *ValidationError on the fields q, service, lat, lon and limit.
func ParseQuery(q, service, lat, lon, limit string) (Query, error) {
	v := &ValidationError{}
	out := Query{Text: strings.TrimSpace(q), Service: strings.TrimSpace(service), Limit: DefaultLimit}
	switch {
	case !utf8.ValidString(out.Text):
		v.add("q", "invalid_characters", "not UTF-8 text")
	case utf8.RuneCountInString(out.Text) > maxQueryText:
		v.add("q", "too_long", "at most %d characters", maxQueryText)
	}
	if out.Service != "" && !KnownService(out.Service) {
		v.add("service", "unknown", "unknown service %q (want %s)", out.Service, strings.Join(AllServices, ", "))
	}
	lat, lon = strings.TrimSpace(lat), strings.TrimSpace(lon)
	switch {
	case lat == "" && lon == "":
	case lat == "":
		v.add("lat", "required", "give lat together with lon")
	case lon == "":
		v.add("lon", "required", "give lon together with lat")
	default:
		p, ok := parsePoint(v, lat, lon)
		if ok {
			out.Near = &p
		}
	}
	if limit = strings.TrimSpace(limit); limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			v.add("limit", "out_of_range", "a whole number from 1 to %d", MaxLimit)
		}
		out.Limit = n
	}
	return out, v.err()
}

func parsePoint(v *ValidationError, lat, lon string) (Point, bool) {
	n := len(v.Fields)
	a, errA := parseDegrees(lat)
	b, errB := parseDegrees(lon)
	if errA != nil {
		v.add("lat", "invalid", "a number of degrees, such as 55.7558")
	}
	if errB != nil {
		v.add("lon", "invalid", "a number of degrees, such as 37.6173")
	}
	if errA == nil && errB == nil {
		checkPoint(v, a, b, false)
	}
	return Point{a, b}, len(v.Fields) == n
}

// parseDegrees reads a decimal number of degrees, with a point or a comma.
func parseDegrees(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	if err == nil && (math.IsInf(f, 0) || math.IsNaN(f)) {
		err = strconv.ErrRange
	}
	return f, err
}

// entry is a center with its folded name and address, as the cache keeps it.
type entry struct {
	c   *Center
	key string // folded name, for ordering
	hay string // folded name and address, for matching
}

func newEntry(c *Center) entry {
	return entry{c: c, key: fold(c.Name), hay: fold(c.Name + " " + c.Address)}
}

// sortEntries orders entries by name, then id: the order of results without a point.
func sortEntries(es []entry) {
	slices.SortFunc(es, func(a, b entry) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.c.ID, b.c.ID))
	})
}

// search filters byName (ordered by sortEntries, not modified) for q and orders the results
// by distance when q has a point.
func search(byName []entry, q Query) []Result {
	words := strings.Fields(fold(q.Text))
	out := []Result{}
	for _, e := range byName {
		if q.Service != "" && !e.c.Offers(q.Service) {
			continue
		}
		if len(words) > 0 && !matches(e.hay, words) {
			continue
		}
		r := Result{Center: e.c}
		if q.Near != nil {
			r.DistanceKm = DistanceKm(*q.Near, Point{e.c.Lat, e.c.Lon})
		}
		out = append(out, r)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if q.Near != nil {
		out = nearest(out, limit)
	}
	return out[:min(limit, len(out))]
}

// nearest orders the limit nearest results first; equal distances stay in name order (the
// order of rs). It selects before it sorts: a page shows a few of thousands of centers.
func nearest(rs []Result, limit int) []Result {
	type ranked struct {
		Result
		pos int
	}
	less := func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.DistanceKm, b.DistanceKm), cmp.Compare(a.pos, b.pos))
	}
	top := make([]ranked, 0, limit+1)
	for i, r := range rs {
		x := ranked{r, i}
		if len(top) == limit && less(x, top[len(top)-1]) >= 0 {
			continue
		}
		at, _ := slices.BinarySearchFunc(top, x, less)
		top = slices.Insert(top, at, x)
		if len(top) > limit {
			top = top[:limit]
		}
	}
	out := make([]Result, len(top))
	for i, x := range top {
		out[i] = x.Result
	}
	return out
}

func matches(haystack string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(haystack, w) {
			return false
		}
	}
	return true
}

// fold prepares text for matching: lower case, ё as е, punctuation as spaces.
func fold(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		switch {
		case r == 'ё' || r == 'Ё':
			return 'е'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		}
		return ' '
	}, s)), " ")
}

// earthRadiusKm is the mean radius of the Earth.
const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle distance between a and b (the haversine formula).
func DistanceKm(a, b Point) float64 {
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLon := rad(b.Lat-a.Lat), rad(b.Lon-a.Lon)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}
