package center

import (
	"errors"
	"testing"
	"time"
)

func TestParseHours(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"Mon-Fri 09:00-20:00; Sat 10:00-17:00", "Mon-Fri 09:00-20:00; Sat 10:00-17:00"},
		{"  mon-fri 9:00-20:00 ;SAT 10:00 - 17:00;", "Mon-Fri 09:00-20:00; Sat 10:00-17:00"},
		{"Пн-Пт 08:00–20:00; сб 10:00–14:00", "Mon-Fri 08:00-20:00; Sat 10:00-14:00"},
		{"Mon 09:00-18:00; Tue 09:00-18:00; Wed 09:00-18:00", "Mon-Wed 09:00-18:00"},
		{"Sat 10:00-14:00; Sun 10:00-14:00", "Sat,Sun 10:00-14:00"},
		{"Mon,Wed,Fri 09:00-13:00, 14:00-18:00", "Mon 09:00-13:00, 14:00-18:00; Wed 09:00-13:00, 14:00-18:00; Fri 09:00-13:00, 14:00-18:00"},
		{"Mon-Sun 00:00-24:00", "Mon-Sun 00:00-24:00"},
		{"Sun 10:00-12:00; Mon: 09:00-10:00", "Mon 09:00-10:00; Sun 10:00-12:00"},
	} {
		h, err := ParseHours(tc.in, "")
		if err != nil {
			t.Errorf("ParseHours(%q) error %v", tc.in, err)
			continue
		}
		if got := h.String(); got != tc.want {
			t.Errorf("ParseHours(%q).String() got %q, want %q", tc.in, got, tc.want)
		}
		if h.Zone != DefaultTimeZone {
			t.Errorf("ParseHours(%q) zone %q, want %s", tc.in, h.Zone, DefaultTimeZone)
		}
		again, err := ParseHours(h.String(), h.Zone)
		if err != nil || again.String() != h.String() {
			t.Errorf("the canonical form %q does not parse to itself: %q, %v", h.String(), again.String(), err)
		}
	}
}

func TestParseHoursErrors(t *testing.T) {
	for _, tc := range []struct {
		in, zone, code string
	}{
		{"", "", "required"},
		{" ; ;", "", "required"},
		{"09:00-18:00", "", "syntax"},
		{"Mon-Fri", "", "syntax"},
		{"Mon-Fri 09:00", "", "syntax"},
		{"Mnd 09:00-18:00", "", "day_unknown"},
		{"Mon-Fry 09:00-18:00", "", "day_unknown"},
		{"Mon- 09:00-18:00", "", "syntax"},
		{"Sat-Mon 09:00-18:00", "", "day_range"},
		{"Mon-Mon 09:00-18:00", "", "day_range"},
		{"Mon-Fri 09:00-18:00; Fri 10:00-12:00", "", "day_repeated"},
		{"Mon 25:00-26:00", "", "time_invalid"},
		{"Mon 09:60-18:00", "", "time_invalid"},
		{"Mon 9-18", "", "time_invalid"},
		{"Mon 24:30-24:40", "", "time_invalid"},
		{"Mon 09:00-+8:00", "", "time_invalid"},
		{"Mon 18:00-09:00", "", "interval_empty"},
		{"Mon 20:00-02:00", "", "interval_empty"},
		{"Mon 09:00-09:00", "", "interval_empty"},
		{"Mon 09:00-13:00, 12:00-18:00", "", "interval_overlap"},
		{"Mon 14:00-18:00, 09:00-13:00", "", "interval_overlap"},
		{"Mon 09:00-18:00", "Mars/Olympus", "timezone_unknown"},
		{"Mon 09:00-18:00", "Local", "timezone_unknown"},
		{"Mon 09:00-18:00", "../../etc/passwd", "timezone_unknown"},
	} {
		_, err := ParseHours(tc.in, tc.zone)
		var he *HoursError
		if !errors.As(err, &he) || he.Code != tc.code {
			t.Errorf("ParseHours(%q, %q) got %v, want code %s", tc.in, tc.zone, err, tc.code)
		} else if he.Message == "" {
			t.Errorf("ParseHours(%q) has no message", tc.in)
		}
	}
}

func TestOpenAt(t *testing.T) {
	h, err := ParseHours("Mon-Fri 09:00-13:00, 14:00-20:00; Sat 10:00-17:00", "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	msk := time.FixedZone("MSK", 3*3600)
	// 2026-03-02 is a Monday.
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 3, 2, 8, 59, 0, 0, msk), false},
		{time.Date(2026, 3, 2, 9, 0, 0, 0, msk), true},
		{time.Date(2026, 3, 2, 13, 30, 0, 0, msk), false}, // lunch
		{time.Date(2026, 3, 2, 19, 59, 59, 0, msk), true},
		{time.Date(2026, 3, 2, 20, 0, 0, 0, msk), false},
		{time.Date(2026, 3, 7, 16, 0, 0, 0, msk), true},  // Saturday
		{time.Date(2026, 3, 8, 12, 0, 0, 0, msk), false}, // Sunday: closed
		// The same instants given in UTC: 06:30 UTC is 09:30 in Moscow.
		{time.Date(2026, 3, 2, 6, 30, 0, 0, time.UTC), true},
		{time.Date(2026, 3, 2, 17, 30, 0, 0, time.UTC), false},
		// Friday 22:00 UTC is already Saturday 01:00 in Moscow.
		{time.Date(2026, 3, 6, 22, 0, 0, 0, time.UTC), false},
	} {
		if got := h.OpenAt(tc.at); got != tc.want {
			t.Errorf("OpenAt(%v) got %v, want %v", tc.at, got, tc.want)
		}
	}

	// The same text in Vladivostok (UTC+10): Monday 09:30 there is Sunday 23:30 UTC.
	vl, err := ParseHours("Mon-Fri 09:00-18:00", "Asia/Vladivostok")
	if err != nil {
		t.Fatal(err)
	}
	sunUTC := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	if !vl.OpenAt(sunUTC) || h.OpenAt(sunUTC) {
		t.Errorf("at %v: Vladivostok open = %v (want true), Moscow open = %v (want false)", sunUTC, vl.OpenAt(sunUTC), h.OpenAt(sunUTC))
	}
	if (Hours{}).OpenAt(sunUTC) {
		t.Error("an empty schedule is open")
	}
}

func TestHoursFormat(t *testing.T) {
	h, _ := ParseHours("Mon-Fri 09:00-20:00; Sat 10:00-17:00", "")
	ru := [7]string{"Вс", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб"}
	if got, want := h.Format(ru, "–"), "Пн–Пт 09:00–20:00; Сб 10:00–17:00"; got != want {
		t.Errorf("Format(ru) got %q, want %q", got, want)
	}
}
