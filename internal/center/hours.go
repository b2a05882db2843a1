package center

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTimeZone is the time zone of opening hours when none is given.
const DefaultTimeZone = "Europe/Moscow"

// Hours is a weekly schedule of opening hours in a time zone. Its text form, which an
// administrator types, lists days and times separated by semicolons:
//
//	Mon-Fri 09:00-20:00; Sat 10:00-17:00
//	Mon,Wed,Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00
//
// Days are Mon Tue Wed Thu Fri Sat Sun (or Пн Вт Ср Чт Пт Сб Вс, in any case), alone, as a
// range Mon-Fri within one week, or as a comma-separated list. Times are HH:MM; an interval
// ends after it starts and on the same day (24:00 is the end of the day); a day's intervals
// do not overlap. Days not listed are closed, and no day may be listed twice.
type Hours struct {
	// Days holds each day's opening intervals in order, indexed by time.Weekday (Sunday is 0).
	Days [7][]Interval
	// Zone is the IANA name of the time zone the times are in.
	Zone string
	loc  *time.Location
}

// Interval is a stretch of opening time within one day, in minutes since midnight.
type Interval struct {
	From, To int // 0 <= From < To <= 1440
}

// HoursError is a specific problem with a schedule or its time zone, with a stable Code:
// required, syntax, day_unknown, day_range, day_repeated, time_invalid, interval_empty,
// interval_overlap, timezone_unknown.
type HoursError struct {
	Code    string
	Message string
}

func (e *HoursError) Error() string { return e.Message }

func hoursErr(code, format string, a ...any) *HoursError {
	return &HoursError{Code: code, Message: fmt.Sprintf(format, a...)}
}

// weekOrder is the order days are written in: Monday first.
var weekOrder = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// DayNames are the English day abbreviations of the text form, indexed by time.Weekday.
var DayNames = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// dayNamesRU are the Russian abbreviations, accepted on input.
var dayNamesRU = [7]string{"вс", "пн", "вт", "ср", "чт", "пт", "сб"}

// LoadZone returns the time zone named zone (DefaultTimeZone when empty).
func LoadZone(zone string) (*time.Location, string, error) {
	zone = strings.TrimSpace(zone)
	if zone == "" {
		zone = DefaultTimeZone
	}
	// Local and names with spaces or dots are refused: they mean the server's zone or a file.
	if zone == "Local" || strings.ContainsAny(zone, " \\") || strings.Contains(zone, "..") {
		return nil, zone, hoursErr("timezone_unknown", "unknown time zone %q; use an IANA name such as Europe/Moscow", zone)
	}
	if loc, ok := zones.Load(zone); ok {
		return loc.(*time.Location), zone, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, zone, hoursErr("timezone_unknown", "unknown time zone %q; use an IANA name such as Europe/Moscow", zone)
	}
	zones.Store(zone, loc)
	return loc, zone, nil
}

// zones caches loaded time zones: time.LoadLocation reads the zone file on every call, and
// every center read from the database parses its hours in its zone.
var zones sync.Map // name -> *time.Location

// ParseHours parses the text form of a schedule in the time zone zone (an IANA name;
// DefaultTimeZone when empty). Errors are *HoursError: the schedule's first problem, or the
// zone's.
func ParseHours(text, zone string) (Hours, error) {
	var h Hours
	loc, name, err := LoadZone(zone)
	if err != nil {
		return h, err
	}
	h.Zone, h.loc = name, loc
	text = strings.TrimSpace(text)
	if text == "" {
		return h, hoursErr("required", "opening hours are required, such as Mon-Fri 09:00-20:00; Sat 10:00-17:00")
	}
	var seen [7]bool
	for seg := range strings.SplitSeq(text, ";") {
		seg = strings.TrimSpace(seg)
		if seg == "" {
			continue // a trailing or doubled semicolon
		}
		days, intervals, err := parseSegment(seg)
		if err != nil {
			return h, err
		}
		for _, d := range days {
			if seen[d] {
				return h, hoursErr("day_repeated", "%s is listed twice; give each day once", DayNames[d])
			}
			seen[d] = true
			h.Days[d] = intervals
		}
	}
	if seen == [7]bool{} {
		return h, hoursErr("required", "opening hours are required, such as Mon-Fri 09:00-20:00; Sat 10:00-17:00")
	}
	return h, nil
}

// parseSegment parses "Mon-Fri 09:00-13:00, 14:00-18:00".
func parseSegment(seg string) ([]time.Weekday, []Interval, error) {
	cut := strings.IndexFunc(seg, func(r rune) bool { return r >= '0' && r <= '9' })
	if cut <= 0 || strings.TrimSpace(seg[:cut]) == "" {
		return nil, nil, hoursErr("syntax", "%q: write days, then times, such as Mon-Fri 09:00-20:00", seg)
	}
	days, err := parseDays(strings.TrimRight(strings.TrimSpace(seg[:cut]), ":"), seg)
	if err != nil {
		return nil, nil, err
	}
	var out []Interval
	for part := range strings.SplitSeq(seg[cut:], ",") {
		iv, err := parseInterval(strings.TrimSpace(part), seg)
		if err != nil {
			return nil, nil, err
		}
		if n := len(out); n > 0 && iv.From < out[n-1].To {
			return nil, nil, hoursErr("interval_overlap", "%q: the intervals overlap or are out of order", seg)
		}
		out = append(out, iv)
	}
	return days, out, nil
}

func parseDays(s, seg string) ([]time.Weekday, error) {
	var out []time.Weekday
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		from, to, isRange := cutDash(part)
		first, err := parseDay(from, seg)
		if err != nil {
			return nil, err
		}
		if !isRange {
			out = append(out, first)
			continue
		}
		last, err := parseDay(to, seg)
		if err != nil {
			return nil, err
		}
		i, j := weekIndex(first), weekIndex(last)
		if j <= i {
			return nil, hoursErr("day_range", "%q: the range %s must run forward within the week (Mon to Sun)", seg, part)
		}
		for k := i; k <= j; k++ {
			out = append(out, weekOrder[k])
		}
	}
	return out, nil
}

func weekIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

func parseDay(s, seg string) (time.Weekday, error) {
	s = strings.TrimSpace(s)
	for d := range 7 {
		if strings.EqualFold(s, DayNames[d]) || strings.EqualFold(s, dayNamesRU[d]) {
			return time.Weekday(d), nil
		}
	}
	if s == "" {
		return 0, hoursErr("syntax", "%q: a day is missing; write days such as Mon-Fri", seg)
	}
	return 0, hoursErr("day_unknown", "%q: unknown day %q; use Mon, Tue, Wed, Thu, Fri, Sat, Sun", seg, s)
}

// cutDash splits "a-b" at a hyphen or an en or em dash.
func cutDash(s string) (string, string, bool) {
	for _, d := range []string{"-", "–", "—"} {
		if a, b, ok := strings.Cut(s, d); ok {
			return a, b, true
		}
	}
	return s, "", false
}

func parseInterval(s, seg string) (Interval, error) {
	from, to, ok := cutDash(s)
	if !ok {
		return Interval{}, hoursErr("syntax", "%q: write times as HH:MM-HH:MM, such as 09:00-18:00", seg)
	}
	a, err := parseClock(from, seg)
	if err != nil {
		return Interval{}, err
	}
	b, err := parseClock(to, seg)
	if err != nil {
		return Interval{}, err
	}
	if b <= a {
		return Interval{}, hoursErr("interval_empty", "%q: %s must end after it starts, on the same day (use 24:00 for midnight)", seg, s)
	}
	return Interval{From: a, To: b}, nil
}

// parseClock reads H:MM or HH:MM, from 00:00 to 24:00.
func parseClock(s, seg string) (int, error) {
	s = strings.TrimSpace(s)
	hh, mm, ok := strings.Cut(s, ":")
	bad := hoursErr("time_invalid", "%q: %q is not a time of day; write HH:MM from 00:00 to 24:00", seg, s)
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 {
		return 0, bad
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) ||
		strings.ContainsAny(hh+mm, "+-") {
		return 0, bad
	}
	return h*60 + m, nil
}

// Location returns the schedule's time zone (DefaultTimeZone for a zero Hours).
func (h Hours) Location() *time.Location {
	if h.loc != nil {
		return h.loc
	}
	loc, _, err := LoadZone(h.Zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// OpenAt reports whether the schedule is open at t.
func (h Hours) OpenAt(t time.Time) bool {
	lt := t.In(h.Location())
	m := lt.Hour()*60 + lt.Minute()
	for _, iv := range h.Days[lt.Weekday()] {
		if iv.From <= m && m < iv.To {
			return true
		}
	}
	return false
}

// String returns the canonical text form: days in week order, consecutive days with the same
// times joined into a range, such as "Mon-Fri 09:00-20:00; Sat 10:00-17:00".
func (h Hours) String() string { return h.Format(DayNames, "-") }

// Format is String with other day names (indexed by time.Weekday) and range dash, for pages.
func (h Hours) Format(names [7]string, dash string) string {
	var segs []string
	for i := 0; i < 7; {
		d := weekOrder[i]
		j := i
		for j+1 < 7 && sameIntervals(h.Days[weekOrder[j+1]], h.Days[d]) {
			j++
		}
		if len(h.Days[d]) > 0 {
			days := names[d]
			switch {
			case j == i+1:
				days += "," + names[weekOrder[j]]
			case j > i:
				days += dash + names[weekOrder[j]]
			}
			segs = append(segs, days+" "+formatIntervals(h.Days[d], dash))
		}
		i = j + 1
	}
	return strings.Join(segs, "; ")
}

func formatIntervals(ivs []Interval, dash string) string {
	parts := make([]string, len(ivs))
	for i, iv := range ivs {
		parts[i] = clock(iv.From) + dash + clock(iv.To)
	}
	return strings.Join(parts, ", ")
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func sameIntervals(a, b []Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
