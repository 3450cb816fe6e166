package schedule

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// probeTimes are the instants Next is checked from for a spec in loc: a few
// fixed ones, and each side of every zone change (DST) of 2026 and 2027 in
// loc, where wall clock and real time disagree.
func probeTimes(loc *time.Location) []time.Time {
	ts := []time.Time{
		time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2028, 2, 28, 12, 0, 30, 500, time.UTC),
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	for i := 0; i < 4; i++ {
		_, end := at.ZoneBounds()
		if end.IsZero() || end.Year() > 2027 {
			break
		}
		for _, d := range []time.Duration{-31 * time.Minute, -time.Second, 0, time.Second, 30*time.Minute + 15*time.Second, 59 * time.Minute, 61 * time.Minute} {
			ts = append(ts, end.Add(d))
		}
		at = end
	}
	return ts
}

func FuzzParse(f *testing.F) {
	for _, s := range [][2]string{
		{"0 9 1 */3 *", "Europe/Berlin"},
		{"0 9 1 */3 *", ""},
		{"0 9 * * 1", "America/New_York"},
		{"30 2 * * *", "Europe/Berlin"},
		{"* * * * *", "Europe/Berlin"},
		{"*/5 1-3 * * *", "America/New_York"},
		{"0,30 * * * *", "Australia/Lord_Howe"},
		{"@monthly", "Asia/Tokyo"},
		{"@weekly", "UTC"},
		{"@yearly", "Pacific/Apia"},
		{"@hourly", "Asia/Kolkata"},
		{"@every 1h", "Europe/Berlin"},
		{"@every 1s", "Europe/Berlin"},
		{"@every 90s", ""},
		{"CRON_TZ=Asia/Tokyo 0 9 * * *", ""},
		{"TZ=America/Sao_Paulo 0 0 * * *", "Europe/Berlin"},
		{"CRON_TZ=", ""},
		{"TZ=  ", ""},
		{"CRON_TZ=Local 0 9 * * *", ""},
		{"CRON_TZ=UTC", ""},
		{"0 9 * * *", "Local"},
		{"0 9 * * *", "local"},
		{"0 9 * * *", "Nowhere/City"},
		{"0 9 * * *", "../../etc/passwd"},
		{"0 0 30 2 *", ""},
		{"0 0 29 2 *", "UTC"},
		{"0 0 31 4,6,9,11 *", ""},
		{"0 0 29 2 1", "Europe/London"},
		{"60 24 32 13 8", ""},
		{"*/0 * * * *", ""},
		{"0 9 1-31/7 * MON-FRI", "Europe/Paris"},
		{"0 9 ? * *", ""},
		{"0 0 0 1 1 *", ""},
		{"", ""},
		{"   ", "UTC"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, spec, tz string) {
		s, err := Parse(spec, tz)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q, %q): empty error", spec, tz)
			}
			return
		}
		if s.Location == nil || s.Location == time.Local {
			t.Fatalf("Parse(%q, %q): location %v", spec, tz, s.Location)
		}
		// What is stored (spec and the zone's name) parses again: a stored
		// schedule must not be paused later as "no longer parses".
		if _, err := Parse(s.Raw, s.Location.String()); err != nil {
			t.Fatalf("Parse(%q, %q) ok, but Parse(%q, %q): %v", spec, tz, s.Raw, s.Location.String(), err)
		}
		for _, at := range probeTimes(s.Location) {
			next := s.Next(at)
			if !next.After(at) {
				t.Fatalf("Parse(%q, %q).Next(%v) = %v, not after it", spec, tz, at, next)
			}
			runs := s.NextN(at, 5)
			if len(runs) == 0 {
				t.Fatalf("Parse(%q, %q).NextN(%v, 5) is empty", spec, tz, at)
			}
			if !runs[0].Equal(next) {
				t.Fatalf("Parse(%q, %q): NextN(%v)[0] = %v, Next = %v", spec, tz, at, runs[0], next)
			}
			for i, r := range runs {
				if r.Location() != s.Location {
					t.Fatalf("Parse(%q, %q): run %v not in %v", spec, tz, r, s.Location)
				}
				if i > 0 && !r.After(runs[i-1]) {
					t.Fatalf("Parse(%q, %q).NextN(%v, 5) = %v: not strictly increasing", spec, tz, at, runs)
				}
			}
		}
	})
}

// FuzzParseReminders: reminders are stored as their String() and parsed
// again when they fall due, so every reminder read must print back to
// itself.
func FuzzParseReminders(f *testing.F) {
	for _, s := range []string{
		"50%,24h", "none", "NONE", "1%,99%", "0%", "100%", "50%,50%,50%,50%,50%,50%",
		"30m", "90m", "10s", "1h0m30s", "1h10m", "2d", "1w", " 36h , 25% ", "500ms", "1.5h",
		"-1h", "0d", "106752d", "213504d", "9223372036854775807w", "1d1h", "", ",", "%", "24",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseReminders(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseReminders(%q): empty error", s)
			}
			return
		}
		if len(rs) > 5 {
			t.Fatalf("ParseReminders(%q): %d reminders", s, len(rs))
		}
		for _, r := range rs {
			if (r.Fraction > 0) == (r.Before > 0) || r.Fraction < 0 || r.Fraction >= 1 || r.Before < 0 {
				t.Fatalf("ParseReminders(%q): reminder %+v", s, r)
			}
			back, err := ParseReminders(r.String())
			if err != nil || len(back) != 1 || back[0] != r {
				t.Fatalf("ParseReminders(%q): %+v prints as %q, which parses to %+v, %v", s, r, r.String(), back, err)
			}
		}
	})
}

// FuzzParseDuration: "Nd" and "Nw" mean exactly N days or weeks, or are
// refused; they never wrap around.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"7d", "1w", "36h", "90D", " 3d ", "+2w", "-1d", "0d", "106752d", "213504d", "15250w", "15251w", "1.5d", "d", "1h30m", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		norm := strings.ToLower(strings.TrimSpace(s))
		for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
			n, ok := strings.CutSuffix(norm, suffix)
			if !ok {
				continue
			}
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				t.Fatalf("ParseDuration(%q) = %v, but %q is not a whole number", s, d, n)
			}
			if d%unit != 0 || int64(d/unit) != v {
				t.Fatalf("ParseDuration(%q) = %v, want %d × %v", s, d, v, unit)
			}
		}
	})
}
