package center

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Input is what an administrator gives to add or change a center. Field names in errors are
// the snake_case names of the admin API and the CSV columns.
type Input struct {
	ID       string // empty: a new id is generated (not allowed in CSV)
	Name     string
	Address  string
	Lat, Lon float64 // degrees; NaN when not given
	Hours    string  // the text form, see Hours
	TimeZone string  // IANA name; empty means DefaultTimeZone
	Phone    string
	Services []string
}

// InputOf returns the input that describes c, for changing one field of a center.
func InputOf(c *Center) Input {
	return Input{ID: c.ID, Name: c.Name, Address: c.Address, Lat: c.Lat, Lon: c.Lon, Hours: c.Hours.String(),
		TimeZone: c.Hours.Zone, Phone: c.Phone, Services: slices.Clone(c.Services)}
}

// FieldError is a problem with one field. Message is English; Code is stable.
type FieldError struct{ Field, Code, Message string }

// ValidationError lists every problem with an Input or a Query.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid center: " + strings.Join(parts, "; ")
}

func (e *ValidationError) add(field, code, format string, a ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, a...)})
}

func (e *ValidationError) err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Limits of the text fields, in characters.
const (
	maxName    = 200
	maxAddress = 300
	maxPhone   = 32
)

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ReservedIDs cannot name a center: "import" is the admin API's import endpoint
// (/api/v1/admin/centers/import).
var ReservedIDs = []string{"import"}

// errIDTaken is the field error of a center id that another center has.
var errIDTaken = FieldError{Field: "id", Code: "taken", Message: "a center with this id already exists"}

// build validates in and returns the center it describes, without id or times when those
// are not given.
func build(in Input) (*Center, error) {
	v := &ValidationError{}
	c := &Center{ID: strings.TrimSpace(in.ID)}
	switch {
	case c.ID != "" && !idRE.MatchString(c.ID):
		v.add("id", "invalid", "1-64 Latin letters, digits, dots, dashes or underscores, starting with a letter or digit")
	case slices.Contains(ReservedIDs, strings.ToLower(c.ID)):
		v.add("id", "reserved", "%q cannot be a center id", c.ID)
	}
	c.Name = text(v, "name", in.Name, maxName)
	c.Address = text(v, "address", in.Address, maxAddress)
	c.Lat, c.Lon = in.Lat, in.Lon
	checkPoint(v, in.Lat, in.Lon, true)
	zone := in.TimeZone
	if _, _, err := LoadZone(zone); err != nil {
		v.add("timezone", "unknown", "%s", err.Error())
		zone = "" // still check the hours
	}
	h, err := ParseHours(in.Hours, zone)
	var he *HoursError
	switch {
	case errors.As(err, &he):
		v.add("hours", he.Code, "%s", he.Message)
	case err != nil:
		v.add("hours", "invalid", "%s", err.Error())
	}
	c.Hours = h
	c.Phone = phone(v, in.Phone)
	c.Services = services(v, in.Services)
	if err := v.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// text trims s, collapses inner whitespace and checks presence and length.
func text(v *ValidationError, field, s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		v.add(field, "required", "this field is required")
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		v.add(field, "invalid_characters", "control characters are not allowed")
	case utf8.RuneCountInString(s) > limit:
		v.add(field, "too_long", "at most %d characters", limit)
	}
	return s
}

// checkPoint checks coordinates. NaN means not given. A center (required) cannot be at 0, 0,
// where the fields were surely left out.
func checkPoint(v *ValidationError, lat, lon float64, required bool) {
	switch {
	case math.IsNaN(lat):
		v.add("lat", "required", "a latitude in degrees is required")
	case lat < -90 || lat > 90:
		v.add("lat", "out_of_range", "a latitude from -90 to 90 degrees")
	case required && lat == 0 && lon == 0:
		v.add("lat", "required", "the center's coordinates are required (lat and lon in degrees)")
	}
	switch {
	case math.IsNaN(lon):
		v.add("lon", "required", "a longitude in degrees is required")
	case lon < -180 || lon > 180:
		v.add("lon", "out_of_range", "a longitude from -180 to 180 degrees")
	}
}

// phone accepts what people dial: digits with spaces, dashes, brackets and a leading plus.
func phone(v *ValidationError, s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '(' || r == ')' || (r == '+' && i == 0):
		default:
			v.add("phone", "invalid", "use digits, spaces, dashes, brackets and a leading +")
			return s
		}
	}
	if digits < 5 || len(s) > maxPhone {
		v.add("phone", "invalid", "a phone number of 5 to 15 digits, at most %d characters", maxPhone)
	}
	return s
}

// services checks the list and returns it without repeats, in the order of AllServices.
func services(v *ValidationError, in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if !KnownService(s) {
			v.add("services", "unknown", "unknown service %q (want %s)", s, strings.Join(AllServices, ", "))
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(in) == 0 {
		v.add("services", "required", "at least one of %s", strings.Join(AllServices, ", "))
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(AllServices, a) - slices.Index(AllServices, b) })
	return out
}
