package handlers

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/schedule"
)

// Command is a parsed /review command.
type Command struct {
	Verb string // "", help, frameworks, start, status, close
	// start
	Framework  string
	Users      []string
	Usergroups []string
	Channels   []string
	Digest     string
	Due        Due
	Threshold  int
	Detail     int           // the detail threshold; 0 = its floor
	Now        bool          // deliver every intro DM at once
	Reminders  []string      // "50%", "24h"; nil = default, empty = none
	Grace      time.Duration // once everyone submitted; 0 = default
	Anyway     bool          // start even below the anonymity threshold
	// Segments are the teams (user groups, channels) the digest's heatmap
	// compares: `by <!subteam^S1|@cs-emea> <#C1|cs-amer>`.
	Segments []assessment.Segment
	// schedule
	Sub        string // add, list, pause, resume, remove, next
	Spec       string
	TZ         string
	Window     time.Duration
	ScheduleID string
	// status, close
	ReviewID string
}

// Due is a deadline as typed: a date or a duration from now.
type Due struct {
	Date time.Time     // a calendar date (year, month, day), zone not set
	In   time.Duration // "3d", "36h"
}

// Zero reports whether no deadline was given.
func (d Due) Zero() bool { return d.Date.IsZero() && d.In == 0 }

// ParseError is a bad command with what to type instead.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return e.Msg }

// perr refuses a command with words from present.Parse.
func perr(msg string) *ParseError { return &ParseError{Msg: msg} }

var (
	reUser       = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(\|[^>]*)?>$`)
	reChannel    = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(\|[^>]*)?>$`)
	reUsergroup  = regexp.MustCompile(`^<!subteam\^([A-Z0-9]+)(\|[^>]*)?>$`)
	reReviewID   = regexp.MustCompile(`^r[a-z0-9]{3,20}$`)
	reDays       = regexp.MustCompile(`^(\d{1,3})([dhw])$`)
	reScheduleID = regexp.MustCompile(`^s[a-z0-9]{3,20}$`)
)

// ParseCommand parses the text after /review. Slack sends mentions escaped
// (`<@U123|alice>`), which the app manifest asks for with should_escape.
func ParseCommand(text string) (Command, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return Command{}, nil
	}
	verb := strings.ToLower(fields[0])
	args := fields[1:]
	switch verb {
	case "help", "frameworks":
		if len(args) > 0 {
			return Command{}, perr(present.Parse.NoArguments(verb))
		}
		return Command{Verb: verb}, nil
	case "status", "close", "results", "export":
		c := Command{Verb: verb}
		switch len(args) {
		case 0:
		case 1:
			if !reReviewID.MatchString(args[0]) {
				return Command{}, perr(present.Parse.NotReviewID(args[0]))
			}
			c.ReviewID = args[0]
		default:
			return Command{}, perr(present.Parse.OneReview(verb))
		}
		return c, nil
	case "actions":
		return parseActions(args)
	case "forget":
		if len(args) != 1 {
			return Command{}, perr(present.Parse.ForgetOne())
		}
		m := reUser.FindStringSubmatch(args[0])
		if m == nil {
			return Command{}, perr(present.Parse.ForgetNotPerson(args[0]))
		}
		return Command{Verb: "forget", Users: []string{m[1]}}, nil
	case "start":
		return parseStart(args)
	case "schedule", "schedules":
		return parseSchedule(args)
	}
	return Command{}, perr(present.Parse.UnknownVerb(fields[0]))
}

// parseActions reads `/review actions [review|schedule]`.
func parseActions(args []string) (Command, error) {
	c := Command{Verb: "actions"}
	switch {
	case len(args) == 0:
	case len(args) > 1:
		return Command{}, perr(present.Parse.ActionsOne())
	case reReviewID.MatchString(args[0]):
		c.ReviewID = args[0]
	case reScheduleID.MatchString(args[0]):
		c.ScheduleID = args[0]
	default:
		return Command{}, perr(present.Parse.ActionsOne())
	}
	return c, nil
}

func parseStart(args []string) (Command, error) {
	c := Command{Verb: "start"}
	if len(args) == 0 {
		return c, perr(present.Parse.StartWhat())
	}
	c.Framework = strings.ToLower(args[0])
	return c, parseOptions(&c, args[1:], present.StartExample)
}

// option is an option of a start or a schedule: what it sets and, for
// one that takes the word after it, what to say when there is none.
type option struct {
	missing func() string // nil: the option takes no word
	set     func(c *Command, word string) error
}

// startOptions and scheduleOptions are the options each takes, by name;
// `to` starts the audience.
var (
	startOptions = withCommon(map[string]option{
		"anyway": {set: func(c *Command, _ string) error { c.Anyway = true; return nil }},
		"due":    {missing: present.Parse.DueNeedsDate, set: setDue},
	})
	scheduleOptions = withCommon(map[string]option{
		"window": {missing: present.Parse.WindowNeedsDuration, set: setWindow},
		"tz":     {missing: present.Parse.TZNeedsZone, set: func(c *Command, w string) error { c.TZ = w; return nil }},
		"due":    {set: func(*Command, string) error { return perr(present.Parse.ScheduleDue()) }},
	})
)

// withCommon adds the options both take to opts.
func withCommon(opts map[string]option) map[string]option {
	reminders := option{missing: present.Parse.RemindNeedsTimes, set: setReminders}
	for name, o := range map[string]option{
		"now":       {set: func(c *Command, _ string) error { c.Now = true; return nil }},
		"remind":    reminders,
		"reminders": reminders,
		"grace":     {missing: present.Parse.GraceNeedsDuration, set: setGrace},
		"digest":    {missing: present.Parse.DigestNeedsChannel, set: setDigest},
		"threshold": {missing: present.Parse.ThresholdNeedsNumber, set: setThreshold},
		"detail":    {missing: present.Parse.DetailNeedsNumber, set: setDetail},
	} {
		opts[name] = o
	}
	return opts
}

func setReminders(c *Command, w string) error {
	rs, err := schedule.ParseReminders(w)
	if err != nil {
		return perr(present.Parse.RemindBad(w, err))
	}
	c.Reminders = []string{}
	for _, r := range rs {
		c.Reminders = append(c.Reminders, r.String())
	}
	return nil
}

func setGrace(c *Command, w string) error {
	d, err := schedule.ParseDuration(w)
	if err != nil || review.CheckGrace(d) != nil {
		return perr(present.Parse.GraceBad(w))
	}
	c.Grace = d
	return nil
}

func setWindow(c *Command, w string) error {
	d, err := schedule.ParseDuration(w)
	if err != nil || review.CheckWindow(d) != nil {
		return perr(present.Parse.WindowBad(w))
	}
	c.Window = d
	return nil
}

func setDigest(c *Command, w string) error {
	m := reChannel.FindStringSubmatch(w)
	if m == nil {
		return perr(present.Parse.DigestNotChannel(w))
	}
	c.Digest = m[1]
	return nil
}

func setDue(c *Command, w string) error {
	d, err := parseDue(w)
	if err != nil {
		return err
	}
	c.Due = d
	return nil
}

func setDetail(c *Command, w string) error {
	n, err := strconv.Atoi(w)
	if err != nil || n == 0 || review.CheckDetail(n) != nil {
		return perr(present.Parse.DetailBad(w))
	}
	c.Detail = n
	return nil
}

func setThreshold(c *Command, w string) error {
	n, err := strconv.Atoi(w)
	if err != nil {
		return perr(present.Parse.ThresholdNotNumber(w))
	}
	if err := review.CheckThreshold(n); err != nil {
		return perr(present.Words(present.OpStart, err))
	}
	c.Threshold = n
	return nil
}

// parseOptions reads `to …`, `digest #ch`, `due …`, `threshold N`, `now`,
// `remind …`, `grace …`, for a start `anyway` and, for schedules,
// `window …` and `tz …`.
func parseOptions(c *Command, args []string, example string) error {
	opts := startOptions
	if c.Verb == "schedule" {
		opts = scheduleOptions
	}
	to, by := false, false
	for i := 0; i < len(args); i++ {
		word := strings.ToLower(args[i])
		if word == "to" || word == "by" {
			to, by = word == "to", word == "by"
			continue
		}
		if o, ok := opts[word]; ok {
			to, by = false, false
			value := ""
			if o.missing != nil {
				if i+1 >= len(args) {
					return perr(o.missing())
				}
				i++
				value = args[i]
			}
			if err := o.set(c, value); err != nil {
				return err
			}
			continue
		}
		if by {
			if err := addSegment(c, args[i]); err != nil {
				return err
			}
			continue
		}
		if !to {
			return perr(present.Parse.NotUnderstood(args[i], example))
		}
		if err := addAudience(c, args[i], example); err != nil {
			return err
		}
	}
	if len(c.Users)+len(c.Usergroups)+len(c.Channels) == 0 {
		return perr(present.Parse.NoAudience(example))
	}
	return nil
}

// addAudience reads a word after `to`: a person, a user group or a
// channel, as Slack's autocomplete links them.
func addAudience(c *Command, a, example string) error {
	switch {
	case reUser.MatchString(a):
		c.Users = append(c.Users, reUser.FindStringSubmatch(a)[1])
	case reUsergroup.MatchString(a):
		c.Usergroups = append(c.Usergroups, reUsergroup.FindStringSubmatch(a)[1])
	case reChannel.MatchString(a):
		c.Channels = append(c.Channels, reChannel.FindStringSubmatch(a)[1])
	case strings.HasPrefix(a, "@") || strings.HasPrefix(a, "#"):
		return perr(present.Parse.NotLinked(a))
	default:
		return perr(present.Parse.NotAudience(a, example))
	}
	return nil
}

// addSegment reads a word after `by`: a user group or a channel, as
// Slack's autocomplete links them; named twice, it counts once.
func addSegment(c *Command, a string) error {
	var seg assessment.Segment
	switch {
	case reUsergroup.MatchString(a):
		m := reUsergroup.FindStringSubmatch(a)
		seg = assessment.Segment{ID: m[1], Name: strings.TrimPrefix(strings.TrimPrefix(m[2], "|"), "@")}
	case reChannel.MatchString(a):
		m := reChannel.FindStringSubmatch(a)
		seg = assessment.Segment{ID: m[1], Name: strings.TrimPrefix(strings.TrimPrefix(m[2], "|"), "#")}
	case strings.HasPrefix(a, "@") || strings.HasPrefix(a, "#"):
		return perr(present.Parse.NotLinked(a))
	default:
		return perr(present.Parse.NotSegment(a))
	}
	for _, s := range c.Segments {
		if s.ID == seg.ID {
			return nil
		}
	}
	c.Segments = append(c.Segments, seg)
	return nil
}

func parseSchedule(args []string) (Command, error) {
	c := Command{Verb: "schedule"}
	if len(args) == 0 {
		return c, nil // the modal
	}
	c.Sub = strings.ToLower(args[0])
	rest := args[1:]
	switch c.Sub {
	case "list":
		if len(rest) > 0 {
			return c, perr(present.Parse.ScheduleListNoArguments())
		}
		return c, nil
	case "pause", "resume", "remove", "next", "take":
		if len(rest) != 1 || !reScheduleID.MatchString(rest[0]) {
			return c, perr(present.Parse.ScheduleNeedsID(c.Sub))
		}
		c.ScheduleID = rest[0]
		return c, nil
	case "add":
	default:
		return c, perr(present.Parse.ScheduleUnknown(args[0]))
	}
	// The spec comes first: quoted ("0 9 1 */3 *", Slack may send curly
	// quotes) or a single word (@monthly).
	text := strings.Join(rest, " ")
	quotes := strings.NewReplacer("“", "\"", "”", "\"")
	text = quotes.Replace(text)
	switch {
	case strings.HasPrefix(text, "\""):
		end := strings.Index(text[1:], "\"")
		if end < 0 {
			return c, perr(present.Parse.ScheduleNoClosingQuote())
		}
		c.Spec = text[1 : end+1]
		text = text[end+2:]
	case len(rest) > 0:
		c.Spec = rest[0]
		text = strings.TrimPrefix(text, quotes.Replace(rest[0])) // a curly quote inside the word was replaced too
	default:
		return c, perr(present.Parse.ScheduleWhich())
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return c, perr(present.Parse.ScheduleWhat())
	}
	c.Framework = strings.ToLower(fields[0])
	return c, parseOptions(&c, fields[1:], present.ScheduleExample)
}

func parseDue(s string) (Due, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return Due{Date: t}, nil
	}
	if m := reDays.FindStringSubmatch(strings.ToLower(s)); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		if n == 0 {
			return Due{}, perr(present.Parse.DuePast(s))
		}
		return Due{In: time.Duration(n) * unit}, nil
	}
	return Due{}, perr(present.Parse.DueBad(s))
}

// Resolve turns a Due into an instant: a date means the end of that day
// (23:59) in loc; a duration counts from now. Zero means
// review.DefaultDeadline from now.
func (d Due) Resolve(now time.Time, loc *time.Location) time.Time {
	switch {
	case !d.Date.IsZero():
		return time.Date(d.Date.Year(), d.Date.Month(), d.Date.Day(), 23, 59, 0, 0, loc)
	case d.In > 0:
		return now.Add(d.In)
	}
	return now.Add(review.DefaultDeadline)
}
