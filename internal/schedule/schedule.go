// Package schedule holds the time rules of assessbot, pure and testable
// with any clock: cron specs with a time zone, each respondent's working
// morning, and when reminders fall. It imports robfig/cron for parsing and
// nothing that does I/O.
package schedule

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Spec is a parsed cron spec bound to a time zone.
type Spec struct {
	Raw      string
	Location *time.Location
	sched    cron.Schedule
}

// Example is shown whenever a spec or zone is refused.
const Example = "e.g. `\"0 9 1 */3 *\"` (9:00 on the 1st of every third month), `\"0 9 * * 1\"` (Mondays at 9:00) or `@monthly`, with `tz Europe/Berlin`"

// Parse parses a standard 5-field cron spec or a descriptor (@monthly,
// @weekly, …) in zone tz ("" = UTC). A spec may carry its own CRON_TZ=.
func Parse(spec, tz string) (Spec, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return Spec{}, fmt.Errorf("the schedule is empty; %s", Example)
	}
	loc := time.UTC
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || strings.EqualFold(tz, "local") {
			return Spec{}, fmt.Errorf("unknown time zone %q: use an IANA name like Europe/Berlin, America/New_York or Asia/Tokyo", tz)
		}
		loc = l
	}
	body := spec
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		fields := strings.Fields(strings.SplitN(spec, "=", 2)[1])
		if len(fields) == 0 {
			return Spec{}, fmt.Errorf("%q names no zone after the '=' (e.g. CRON_TZ=Europe/Berlin 0 9 * * 1); %s", spec, Example)
		}
		l, err := time.LoadLocation(fields[0])
		if err != nil || strings.EqualFold(fields[0], "local") {
			return Spec{}, fmt.Errorf("unknown time zone %q in the spec: use an IANA name like Europe/Berlin", fields[0])
		}
		loc = l
		body = strings.Join(fields[1:], " ")
	}
	// The spec is evaluated on wall-clock time (as if in UTC) and mapped
	// into the zone afterwards, so DST never skips or doubles a run.
	s, err := cron.ParseStandard("CRON_TZ=UTC " + body)
	if err != nil {
		return Spec{}, fmt.Errorf("%q is not a valid schedule (%v); %s", spec, err, Example)
	}
	if s.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return Spec{}, fmt.Errorf("%q never runs; %s", spec, Example)
	}
	return Spec{Raw: spec, Location: loc, sched: s}, nil
}

// Next returns the first run strictly after t. Runs follow the zone's wall
// clock: a time that does not exist when clocks spring forward runs at the
// same moment shifted forward (2:30 → 3:30), and a time that happens twice
// when they fall back runs once, the first time.
func (s Spec) Next(t time.Time) time.Time {
	l := t.In(s.Location)
	wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
	// Runs whose wall time maps to t or before (a zone change around t, or
	// seconds dropped from an @every run) are stepped over; each step moves
	// the wall clock forward, and no zone change spans two days.
	for start := wall; wall.Sub(start) < 48*time.Hour; {
		n := s.sched.Next(wall)
		if n.IsZero() {
			return n
		}
		real := s.wallTime(n)
		if real.After(t) {
			return real
		}
		wall = n
	}
	return time.Time{}
}

// NextN returns the next n runs after t, in the spec's zone.
// wallTime maps a wall-clock time (given in UTC fields) to the instant it
// names in the spec's zone. Go leaves the choice open for times that don't
// exist or happen twice; here a skipped time runs just after the jump (2:30
// on a spring-forward night runs at 3:30) and a repeated time runs the first
// time it happens.
func (s Spec) wallTime(n time.Time) time.Time {
	t := time.Date(n.Year(), n.Month(), n.Day(), n.Hour(), n.Minute(), 0, 0, s.Location)
	wallOf := func(x time.Time) time.Time {
		l := x.In(s.Location)
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
	}
	switch w := wallOf(t); {
	case w.Before(n):
		// In a gap Go may pick the instant an hour early (zones behind UTC).
		return t.Add(n.Sub(w))
	case w.After(n):
		return t // in a gap, already just after the jump
	}
	for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
		if e := t.Add(-back); wallOf(e).Equal(n) {
			return e // a time that happens twice: the first
		}
	}
	return t
}

// NextN returns the next n runs after t, in the spec's zone.
func (s Spec) NextN(t time.Time, n int) []time.Time {
	var out []time.Time
	for i := 0; i < n; i++ {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(s.Location))
	}
	return out
}

// Working hours: the morning window in which intro DMs go out, and the day
// in which reminders may.
const (
	MorningStart = 9
	MorningEnd   = 12
	DayEnd       = 18
)

// weekend reports whether a local date is Saturday or Sunday.
func weekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

// nextAt returns the first working day at hour:00 local on or after t.
func nextAt(t time.Time, loc *time.Location, hour int) time.Time {
	l := t.In(loc)
	c := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	if c.Before(l) {
		c = time.Date(l.Year(), l.Month(), l.Day()+1, hour, 0, 0, 0, loc)
	}
	for weekend(c) {
		c = time.Date(c.Year(), c.Month(), c.Day()+1, hour, 0, 0, 0, loc)
	}
	return c
}

// Morning returns when an intro DM should reach someone in loc for a review
// starting at t: at once if it is a weekday morning there (9:00–12:00),
// otherwise at their next weekday 9:00.
func Morning(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	if !weekend(l) && l.Hour() >= MorningStart && l.Hour() < MorningEnd {
		return t
	}
	return nextAt(t, loc, MorningStart)
}

// NextMorning is the first weekday 9:00 in loc strictly after t: when
// someone away without an end date is looked at again.
func NextMorning(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return nextAt(t.Add(time.Nanosecond), loc, MorningStart)
}

// WorkingHours moves t into someone's working day (weekdays 9:00–18:00 in
// loc): t itself if it is inside, else the next 9:00.
func WorkingHours(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	if !weekend(l) && l.Hour() >= MorningStart && l.Hour() < DayEnd {
		return t
	}
	return nextAt(t, loc, MorningStart)
}

// Reminder is when to remind: a fraction of the window after the start
// (Fraction > 0) or a time before the deadline (Before > 0).
type Reminder struct {
	Fraction float64
	Before   time.Duration
}

// String is the form ParseReminders reads: "50%" or "24h".
func (r Reminder) String() string {
	if r.Fraction > 0 {
		return strconv.Itoa(int(r.Fraction*100+0.5)) + "%"
	}
	// Drop zero minutes and seconds ("24h0m0s" → "24h") but keep every
	// digit that counts ("30m0s" → "30m", not "3").
	s := r.Before.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
	}
	return s
}

// DefaultReminders: halfway through the window and 24 hours before the deadline.
var DefaultReminders = []Reminder{{Fraction: 0.5}, {Before: 24 * time.Hour}}

// ParseReminders reads "50%,24h" ("none" for no reminders).
func ParseReminders(s string) ([]Reminder, error) {
	if strings.EqualFold(s, "none") {
		return []Reminder{}, nil
	}
	var out []Reminder
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		switch {
		case strings.HasSuffix(p, "%"):
			n, err := strconv.Atoi(strings.TrimSuffix(p, "%"))
			if err != nil || n <= 0 || n >= 100 {
				return nil, fmt.Errorf("reminder %q: a share of the window is 1%%–99%%", p)
			}
			out = append(out, Reminder{Fraction: float64(n) / 100})
		default:
			d, err := ParseDuration(p)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("reminder %q: give a share of the window like `50%%` or a time before the deadline like `24h` or `2d`", p)
			}
			out = append(out, Reminder{Before: d})
		}
	}
	if len(out) > 5 {
		return nil, fmt.Errorf("at most 5 reminders")
	}
	return out, nil
}

// ParseDuration reads 36h, 3d, 1w (and anything time.ParseDuration reads).
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v > int(math.MaxInt64/unit) || v < -int(math.MaxInt64/unit) {
				return 0, fmt.Errorf("bad duration %q", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	return time.ParseDuration(s)
}

// ReminderTimes returns when one respondent in loc is reminded for a review
// open from start to deadline: each reminder moved into their working
// hours, dropped when that falls at or after the deadline or within 20 hours
// of the one before (never more than one a day).
func ReminderTimes(start, deadline time.Time, loc *time.Location, rs []Reminder) []time.Time {
	var raw []time.Time
	for _, r := range rs {
		var t time.Time
		if r.Fraction > 0 {
			t = start.Add(time.Duration(float64(deadline.Sub(start)) * r.Fraction))
		} else {
			t = deadline.Add(-r.Before)
		}
		if t.After(start) {
			raw = append(raw, WorkingHours(t, loc))
		}
	}
	slices.SortFunc(raw, func(a, b time.Time) int { return a.Compare(b) })
	var out []time.Time
	for _, t := range raw {
		if !t.Before(deadline) {
			continue
		}
		if len(out) > 0 && t.Sub(out[len(out)-1]) < 20*time.Hour {
			continue
		}
		out = append(out, t)
	}
	return out
}
