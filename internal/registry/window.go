package registry

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Window is a period in which the simulated registries are down: either an
// absolute interval [From, To), or, when Daily is set, the clock times
// [Start, End) of every day in Location (UTC when nil). A daily window with
// End before Start runs past midnight.
type Window struct {
	From, To   time.Time
	Daily      bool
	Start, End time.Duration // since midnight; End may be 24h
	Location   *time.Location
}

const day = 24 * time.Hour

// ParseWindow reads a window written as "HH:MM-HH:MM" (daily, UTC; "24:00"
// ends at midnight) or as two RFC 3339 times "FROM/TO".
func ParseWindow(s string) (Window, error) {
	s = strings.TrimSpace(s)
	if from, to, ok := strings.Cut(s, "/"); ok {
		return parseAbsoluteWindow(from, to)
	}
	start, end, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, errors.New(`outage window must be "HH:MM-HH:MM" or "FROM/TO" in RFC 3339`)
	}
	w := Window{Daily: true}
	var err1, err2 error
	w.Start, err1 = parseClock(start)
	w.End, err2 = parseClock(end)
	if err := errors.Join(err1, err2); err != nil {
		return Window{}, err
	}
	return w, w.validate()
}

// ParseWindows reads a comma-separated list of windows; "" gives none.
func ParseWindows(s string) ([]Window, error) {
	var out []Window
	for part := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		w, err := ParseWindow(part)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// parseAbsoluteWindow reads the two RFC 3339 ends of a window.
func parseAbsoluteWindow(from, to string) (Window, error) {
	f, err := time.Parse(time.RFC3339, strings.TrimSpace(from))
	if err != nil {
		return Window{}, fmt.Errorf("outage window start: %w", err)
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(to))
	if err != nil {
		return Window{}, fmt.Errorf("outage window end: %w", err)
	}
	w := Window{From: f, To: t}
	return w, w.validate()
}

// parseClock reads "HH:MM" (00:00 to 24:00) as a duration since midnight.
func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || s[2] != ':' || !isDigitsN(s[:2], 2) || !isDigitsN(s[3:], 2) {
		return 0, fmt.Errorf("outage window time %q is not HH:MM", s)
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("outage window time %q is out of range", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// validate reports a window that can never contain a moment.
func (w Window) validate() error {
	if !w.Daily {
		if w.From.IsZero() || !w.To.After(w.From) {
			return errors.New("outage window must end after it starts")
		}
		return nil
	}
	if w.Start < 0 || w.Start >= day || w.End <= 0 || w.End > day || w.Start == w.End {
		return errors.New("daily outage window must have distinct times between 00:00 and 24:00")
	}
	return nil
}

// Contains reports whether t falls inside w.
func (w Window) Contains(t time.Time) bool {
	if !w.Daily {
		return !t.Before(w.From) && t.Before(w.To)
	}
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	y, m, d := t.Date()
	since := t.Sub(time.Date(y, m, d, 0, 0, 0, 0, loc))
	if w.Start < w.End {
		return since >= w.Start && since < w.End
	}
	return since >= w.Start || since < w.End
}

// String writes w in the form [ParseWindow] reads (the location of a daily
// window is not written).
func (w Window) String() string {
	if !w.Daily {
		return w.From.Format(time.RFC3339Nano) + "/" + w.To.Format(time.RFC3339Nano)
	}
	return clock(w.Start) + "-" + clock(w.End)
}

// clock writes a duration since midnight as "HH:MM".
func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// UnmarshalText reads a window with [ParseWindow], for configuration files.
func (w *Window) UnmarshalText(b []byte) error {
	v, err := ParseWindow(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// MarshalText writes w with [Window.String].
func (w Window) MarshalText() ([]byte, error) {
	return []byte(w.String()), nil
}
