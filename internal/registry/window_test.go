package registry

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in   string
		want Window
		ok   bool
	}{
		{"02:00-03:30", Window{Daily: true, Start: 2 * time.Hour, End: 3*time.Hour + 30*time.Minute}, true},
		{" 23:00 - 01:00 ", Window{Daily: true, Start: 23 * time.Hour, End: time.Hour}, true},
		{"00:00-24:00", Window{Daily: true, End: day}, true},
		{"2026-03-01T10:00:00Z/2026-03-01T12:00:00+03:00", Window{From: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}, false},
		{"2026-03-01T10:00:00Z/2026-03-01T12:00:00Z", Window{From: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}, true},
		{"10:00-10:00", Window{}, false},
		{"24:00-01:00", Window{}, false},
		{"25:00-26:00", Window{}, false},
		{"10:60-11:00", Window{}, false},
		{"1:00-2:00", Window{}, false},
		{"10:00", Window{}, false},
		{"", Window{}, false},
		{"yesterday/today", Window{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWindow(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseWindow(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if !tt.ok {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseWindow(%q) (-want +got):\n%s", tt.in, diff)
			}
			again, err := ParseWindow(got.String())
			if err != nil || !cmp.Equal(again, got) {
				t.Errorf("ParseWindow(%q) = %+v, %v; want %+v", got.String(), again, err, got)
			}
		})
	}
}

func TestParseWindows(t *testing.T) {
	ws, err := ParseWindows("02:00-03:00, 2026-03-01T10:00:00Z/2026-03-01T12:00:00Z,")
	if err != nil || len(ws) != 2 || !ws[0].Daily || ws[1].Daily {
		t.Errorf("ParseWindows = %+v, %v; want a daily and an absolute window", ws, err)
	}
	if ws, err := ParseWindows(""); err != nil || len(ws) != 0 {
		t.Errorf(`ParseWindows("") = %+v, %v; want none`, ws, err)
	}
	if _, err := ParseWindows("02:00-03:00,bad"); err == nil {
		t.Errorf("ParseWindows accepted a bad window")
	}
	var w Window
	if err := w.UnmarshalText([]byte("01:00-02:00")); err != nil || w.Start != time.Hour {
		t.Errorf("UnmarshalText = %+v, %v", w, err)
	}
	if b, _ := w.MarshalText(); string(b) != "01:00-02:00" {
		t.Errorf("MarshalText = %q", b)
	}
}

func TestWindowContainsDaily(t *testing.T) {
	w := Window{Daily: true, Start: 2 * time.Hour, End: 3 * time.Hour}
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 1, 1, 1, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 7, 9, 2, 59, 0, 0, time.UTC), true},
		{time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 1, 1, 5, 30, 0, 0, time.FixedZone("MSK", 3*3600)), true},
	} {
		if got := w.Contains(tt.at); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}
