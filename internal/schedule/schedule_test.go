package schedule

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A quarterly schedule run over five simulated years fires at 9:00 local on
// the first of every quarter, on both sides of every DST change, in zones
// whose changes fall on different dates.
func TestQuarterlyAcrossDST(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Australia/Sydney"} {
		t.Run(zone, func(t *testing.T) {
			loc := mustLoc(t, zone)
			s, err := Parse("0 9 1 */3 *", zone)
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
			offsets := map[int]bool{}
			for i := 0; i < 20; i++ {
				at = s.Next(at)
				l := at.In(loc)
				wantMonth := time.Month(1 + 3*(i%4))
				if l.Hour() != 9 || l.Minute() != 0 || l.Day() != 1 || l.Month() != wantMonth || l.Year() != 2026+i/4 {
					t.Fatalf("run %d at %v, want 9:00 on 1 %v %d", i, l, wantMonth, 2026+i/4)
				}
				_, off := l.Zone()
				offsets[off] = true
			}
			if len(offsets) != 2 {
				t.Fatalf("runs saw UTC offsets %v; the test should cross DST", offsets)
			}
		})
	}
}

// A daily run in the hour that does not exist (spring forward) happens once
// that day, and the repeated hour (fall back) runs once, not twice.
func TestDailyOnDSTDays(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	s, err := Parse("30 2 * * *", "Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	perDay := map[string]int{}
	at := time.Date(2027, 3, 26, 0, 0, 0, 0, loc)
	for at.Before(time.Date(2027, 11, 2, 0, 0, 0, 0, loc)) {
		at = s.Next(at)
		perDay[at.In(loc).Format("2006-01-02")]++
	}
	for _, day := range []string{"2027-03-28", "2027-10-31"} {
		if perDay[day] != 1 {
			t.Errorf("%s: %d runs, want 1", day, perDay[day])
		}
	}
	if perDay["2027-03-27"] != 1 || perDay["2027-03-29"] != 1 || perDay["2027-10-30"] != 1 || perDay["2027-11-01"] != 1 {
		t.Errorf("days around the changes: %v", perDay)
	}
}

func TestParseRefusals(t *testing.T) {
	tests := []struct{ spec, tz, want string }{
		{"", "", "empty"},
		{"0 9 1 */3", "", "not a valid schedule"},
		{"61 9 * * *", "", "not a valid schedule"},
		{"0 9 * * *", "Mars/Olympus", "unknown time zone"},
		{"CRON_TZ=Nowhere/Land 0 9 * * *", "", "unknown time zone"},
		{"0 9 30 2 *", "", "never runs"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.spec, tc.tz)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q, %q) = %v, want %q", tc.spec, tc.tz, err, tc.want)
		}
		if err != nil && !strings.Contains(err.Error(), "e.g.") && !strings.Contains(err.Error(), "IANA") {
			t.Errorf("Parse(%q, %q): the error gives no example: %v", tc.spec, tc.tz, err)
		}
	}
	for _, ok := range []string{"@monthly", "@weekly", "0 9 * * 1-5", "CRON_TZ=Asia/Tokyo 0 9 * * *"} {
		if _, err := Parse(ok, "Europe/Berlin"); err != nil {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
}

// Started Monday 08:00 UTC, a team in Tokyo, Berlin and San Francisco each
// gets the intro DM in their own morning.
func TestMorningAcrossZones(t *testing.T) {
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // Monday
	tests := []struct {
		zone string
		want time.Time
	}{
		{"Europe/Berlin", time.Date(2026, 11, 23, 9, 0, 0, 0, mustLoc(t, "Europe/Berlin"))},             // 9:00 local is 8:00 UTC: now
		{"Asia/Tokyo", time.Date(2026, 11, 24, 9, 0, 0, 0, mustLoc(t, "Asia/Tokyo"))},                   // 17:00 there: tomorrow 9:00
		{"America/Los_Angeles", time.Date(2026, 11, 23, 9, 0, 0, 0, mustLoc(t, "America/Los_Angeles"))}, // 0:00 there: 9:00 today
	}
	for _, tc := range tests {
		got := Morning(start, mustLoc(t, tc.zone))
		if !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.zone, got.In(mustLoc(t, tc.zone)), tc.want)
		}
		if h := got.In(mustLoc(t, tc.zone)).Hour(); h < MorningStart || h >= MorningEnd {
			t.Errorf("%s: delivered at %d:00 local", tc.zone, h)
		}
	}
	// Friday evening → Monday morning.
	fri := time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC)
	if got := Morning(fri, time.UTC); got.Weekday() != time.Monday || got.Hour() != 9 {
		t.Errorf("Friday 19:00 → %v, want Monday 9:00", got)
	}
}

func TestReminderTimes(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, utc) // Monday
	deadline := start.Add(7 * 24 * time.Hour)         // next Monday 9:00
	got := ReminderTimes(start, deadline, utc, DefaultReminders)
	// Halfway = Thursday 21:00 → Friday 9:00; 24h before = Sunday 9:00 → Monday 9:00 = the deadline: dropped.
	want := []time.Time{time.Date(2026, 11, 27, 9, 0, 0, 0, utc)}
	if len(got) != len(want) || !got[0].Equal(want[0]) {
		t.Fatalf("reminders %v, want %v", got, want)
	}
	// Never more than one a day.
	got = ReminderTimes(start, start.Add(3*24*time.Hour), utc, []Reminder{{Fraction: 0.5}, {Before: 30 * time.Hour}})
	if len(got) != 1 {
		t.Fatalf("two reminders within a day: %v", got)
	}
	// All inside working hours in Tokyo.
	tokyo := mustLoc(t, "Asia/Tokyo")
	for _, r := range ReminderTimes(start, deadline.Add(7*24*time.Hour), tokyo, []Reminder{{Fraction: 0.25}, {Fraction: 0.5}, {Before: 24 * time.Hour}}) {
		l := r.In(tokyo)
		if l.Hour() < MorningStart || l.Hour() >= DayEnd || weekend(l) {
			t.Errorf("reminder at %v Tokyo time", l)
		}
	}
}

func TestParseReminders(t *testing.T) {
	rs, err := ParseReminders("50%,24h,2d")
	if err != nil || len(rs) != 3 || rs[0].Fraction != 0.5 || rs[1].Before != 24*time.Hour || rs[2].Before != 48*time.Hour {
		t.Fatalf("%v %v", rs, err)
	}
	if rs, err := ParseReminders("none"); err != nil || len(rs) != 0 {
		t.Fatalf("none: %v %v", rs, err)
	}
	for _, bad := range []string{"150%", "0%", "soon", "-3h"} {
		if _, err := ParseReminders(bad); err == nil {
			t.Errorf("ParseReminders(%q) accepted", bad)
		}
	}
}

// On the nights clocks change, in zones ahead of and behind UTC: a skipped
// 2:30 runs at 3:30 local, a repeated 1:30/2:30 runs the first time.
func TestDSTNightsBothSides(t *testing.T) {
	tests := []struct {
		zone string
		spec string
		from time.Time
		want string // local wall time and offset
	}{
		{"Europe/Berlin", "30 2 * * *", time.Date(2027, 3, 27, 12, 0, 0, 0, time.UTC), "2027-03-28 03:30 +0200"},
		{"America/New_York", "30 2 * * *", time.Date(2027, 3, 13, 12, 0, 0, 0, time.UTC), "2027-03-14 03:30 -0400"},
		{"Europe/Berlin", "30 2 * * *", time.Date(2027, 10, 30, 12, 0, 0, 0, time.UTC), "2027-10-31 02:30 +0200"},
		{"America/New_York", "30 1 * * *", time.Date(2027, 11, 6, 12, 0, 0, 0, time.UTC), "2027-11-07 01:30 -0400"},
	}
	for _, tc := range tests {
		s, err := Parse(tc.spec, tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		got := s.Next(tc.from).In(mustLoc(t, tc.zone)).Format("2006-01-02 15:04 -0700")
		if got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.zone, tc.spec, got, tc.want)
		}
	}
}

func TestNextMorning(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	la, _ := time.LoadLocation("America/Los_Angeles")
	cases := []struct {
		name string
		t    time.Time
		loc  *time.Location
		want time.Time
	}{
		{"before nine: today", time.Date(2026, 12, 1, 8, 59, 0, 0, tokyo), tokyo, time.Date(2026, 12, 1, 9, 0, 0, 0, tokyo)},
		{"at nine: tomorrow, never the same instant", time.Date(2026, 12, 1, 9, 0, 0, 0, tokyo), tokyo, time.Date(2026, 12, 2, 9, 0, 0, 0, tokyo)},
		{"in the morning: tomorrow", time.Date(2026, 12, 1, 10, 30, 0, 0, la), la, time.Date(2026, 12, 2, 9, 0, 0, 0, la)},
		{"Friday: Monday", time.Date(2026, 12, 4, 9, 30, 0, 0, la), la, time.Date(2026, 12, 7, 9, 0, 0, 0, la)},
		{"Saturday night UTC is Sunday in Tokyo: Monday", time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC), tokyo, time.Date(2026, 12, 7, 9, 0, 0, 0, tokyo)},
		{"no zone: UTC", time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), nil, time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)},
	}
	for _, tc := range cases {
		if got := NextMorning(tc.t, tc.loc); !got.Equal(tc.want) {
			t.Errorf("%s: NextMorning(%v) = %v, want %v", tc.name, tc.t, got, tc.want)
		}
	}
}
