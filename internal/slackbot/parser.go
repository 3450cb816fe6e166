package slackbot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

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

func perr(format string, args ...any) *ParseError {
	return &ParseError{Msg: fmt.Sprintf(format, args...)}
}

var (
	reUser       = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(\|[^>]*)?>$`)
	reChannel    = regexp.MustCompile(`^<#([CG][A-Z0-9]+)(\|[^>]*)?>$`)
	reUsergroup  = regexp.MustCompile(`^<!subteam\^([A-Z0-9]+)(\|[^>]*)?>$`)
	reReviewID   = regexp.MustCompile(`^r[a-z0-9]{3,20}$`)
	reDays       = regexp.MustCompile(`^(\d{1,3})([dhw])$`)
	reScheduleID = regexp.MustCompile(`^s[a-z0-9]{3,20}$`)
)

// startExample is shown whenever a start command is wrong.
const startExample = "`/review start cs-excellence to @alice @cs-team #cs-all digest #cs-leadership due 2026-12-01`"

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
			return Command{}, perr("`/review %s` takes no arguments.", verb)
		}
		return Command{Verb: verb}, nil
	case "status", "close", "results", "export":
		c := Command{Verb: verb}
		switch len(args) {
		case 0:
		case 1:
			if !reReviewID.MatchString(args[0]) {
				return Command{}, perr("%q is not a review id. Review ids look like `r4k9x2mq`; see `/review status` for the open ones.", args[0])
			}
			c.ReviewID = args[0]
		default:
			return Command{}, perr("Type `/review %s` for the latest review, or `/review %s <id>`.", verb, verb)
		}
		return c, nil
	case "forget":
		if len(args) != 1 {
			return Command{}, perr("Type `/review forget @person`: one person, whom I take out of every review, queue and index.")
		}
		m := reUser.FindStringSubmatch(args[0])
		if m == nil {
			return Command{}, perr("%q is not a person. Type `/review forget @person` (pick them from the list as you type).", args[0])
		}
		return Command{Verb: "forget", Users: []string{m[1]}}, nil
	case "start":
		return parseStart(args)
	case "schedule", "schedules":
		return parseSchedule(args)
	}
	return Command{}, perr("I don't know `/review %s`. Type `/review help` to see what I can do.", fields[0])
}

func parseStart(args []string) (Command, error) {
	c := Command{Verb: "start"}
	if len(args) == 0 {
		return c, perr("Which framework, and who should answer? For example %s. `/review frameworks` lists the frameworks.", startExample)
	}
	c.Framework = strings.ToLower(args[0])
	return c, parseOptions(&c, args[1:], startExample)
}

// parseOptions reads `to …`, `digest #ch`, `due …`, `threshold N`, `now`,
// `remind …`, `grace …`, for a start `anyway` and, for schedules,
// `window …` and `tz …`.
func parseOptions(c *Command, args []string, example string) error {
	isSchedule := c.Verb == "schedule"
	mode := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch strings.ToLower(a) {
		case "now":
			c.Now = true
			mode = ""
			continue
		case "remind", "reminders":
			if i+1 >= len(args) {
				return perr("`remind` needs times, e.g. `remind 50%%,24h` (halfway, and a day before the deadline) or `remind none`.")
			}
			i++
			rs, err := schedule.ParseReminders(args[i])
			if err != nil {
				return perr("`remind %s`: %v. For example `remind 50%%,24h`.", args[i], err)
			}
			c.Reminders = []string{}
			for _, r := range rs {
				c.Reminders = append(c.Reminders, r.String())
			}
			mode = ""
			continue
		case "anyway":
			if isSchedule {
				break
			}
			c.Anyway = true
			mode = ""
			continue
		case "grace":
			if i+1 >= len(args) {
				return perr("`grace` needs a duration, e.g. `grace 2h`: how long answers can still change once everyone has submitted.")
			}
			i++
			d, err := schedule.ParseDuration(args[i])
			if err != nil || d < review.MinGrace || d > review.MaxGrace {
				return perr("`grace %s`: give how long answers can still change once everyone has submitted, from `1m` to `7d`, e.g. `grace 30m` or `grace 2h`.", args[i])
			}
			c.Grace = d
			mode = ""
			continue
		case "window":
			if !isSchedule {
				break
			}
			if i+1 >= len(args) {
				return perr("`window` needs a duration, e.g. `window 7d`.")
			}
			i++
			d, err := schedule.ParseDuration(args[i])
			if err != nil || d < time.Hour || d > 90*24*time.Hour {
				return perr("`window %s`: give how long each review stays open, from `1h` to `90d`, e.g. `window 7d`.", args[i])
			}
			c.Window = d
			mode = ""
			continue
		case "tz":
			if !isSchedule {
				break
			}
			if i+1 >= len(args) {
				return perr("`tz` needs a time zone, e.g. `tz Europe/Berlin`.")
			}
			i++
			c.TZ = args[i]
			mode = ""
			continue
		}
		switch strings.ToLower(a) {
		case "to":
			mode = "to"
			continue
		case "digest":
			if i+1 >= len(args) {
				return perr("`digest` needs a channel, e.g. `digest #cs-leadership`.")
			}
			i++
			m := reChannel.FindStringSubmatch(args[i])
			if m == nil {
				return perr("`digest %s`: pick the channel from Slack's autocomplete so it turns into a link, e.g. `digest #cs-leadership`.", args[i])
			}
			c.Digest = m[1]
			mode = ""
			continue
		case "due":
			if isSchedule {
				return perr("A schedule's reviews stay open for a `window` (e.g. `window 7d`), not until a `due` date.")
			}
			if i+1 >= len(args) {
				return perr("`due` needs a date (`due 2026-12-01`) or a duration (`due 3d`).")
			}
			i++
			d, err := parseDue(args[i])
			if err != nil {
				return err
			}
			c.Due = d
			mode = ""
			continue
		case "threshold":
			if i+1 >= len(args) {
				return perr("`threshold` needs a number, e.g. `threshold 5`.")
			}
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil {
				return perr("`threshold %s`: give a whole number from %d to %d (scores are shown only when at least that many answered).", args[i], review.MinThreshold, review.MaxThreshold)
			}
			if err := review.CheckThreshold(n); err != nil {
				return perr("%s", words(opStart, err))
			}
			c.Threshold = n
			mode = ""
			continue
		case "detail":
			if i+1 >= len(args) {
				return perr("`detail` needs a number, e.g. `detail 7`.")
			}
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil || review.CheckDetail(n) != nil || n == 0 {
				return perr("`detail %s`: give a whole number from %d to %d (question figures, answer counts and open answers are shown only when at least that many answered).", args[i], review.MinDetailThreshold, review.MaxThreshold)
			}
			c.Detail = n
			mode = ""
			continue
		}
		if mode != "to" {
			return perr("I did not understand %q. The form is %s.", a, example)
		}
		switch {
		case reUser.MatchString(a):
			c.Users = append(c.Users, reUser.FindStringSubmatch(a)[1])
		case reUsergroup.MatchString(a):
			c.Usergroups = append(c.Usergroups, reUsergroup.FindStringSubmatch(a)[1])
		case reChannel.MatchString(a):
			c.Channels = append(c.Channels, reChannel.FindStringSubmatch(a)[1])
		case strings.HasPrefix(a, "@") || strings.HasPrefix(a, "#"):
			return perr("I could not tell who %q is. Pick people, user groups and channels from Slack's autocomplete so they turn into links.", a)
		default:
			return perr("%q is not a person, user group or channel. The form is %s.", a, example)
		}
	}
	if len(c.Users)+len(c.Usergroups)+len(c.Channels) == 0 {
		return perr("Who should answer? Add `to` and people, user groups or channels, e.g. %s.", example)
	}
	return nil
}

// scheduleExample is shown whenever a schedule command is wrong.
const scheduleExample = "`/review schedule add \"0 9 1 */3 *\" cs-excellence to @cs-team digest #cs-leadership window 7d tz Europe/Berlin`"

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
			return c, perr("`/review schedule list` takes no arguments.")
		}
		return c, nil
	case "pause", "resume", "remove", "next":
		if len(rest) != 1 || !reScheduleID.MatchString(rest[0]) {
			return c, perr("Type `/review schedule %s <id>`; `/review schedule list` shows the ids.", c.Sub)
		}
		c.ScheduleID = rest[0]
		return c, nil
	case "add":
	default:
		return c, perr("I don't know `/review schedule %s`. Use `add`, `list`, `pause`, `resume`, `remove` or `next`, e.g. %s.", args[0], scheduleExample)
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
			return c, perr("The schedule has no closing quote. The form is %s.", scheduleExample)
		}
		c.Spec = text[1 : end+1]
		text = text[end+2:]
	case len(rest) > 0:
		c.Spec = rest[0]
		text = strings.TrimPrefix(text, quotes.Replace(rest[0])) // a curly quote inside the word was replaced too
	default:
		return c, perr("Which schedule? The form is %s.", scheduleExample)
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return c, perr("Which framework, and who should answer? The form is %s.", scheduleExample)
	}
	c.Framework = strings.ToLower(fields[0])
	return c, parseOptions(&c, fields[1:], scheduleExample)
}

func parseDue(s string) (Due, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return Due{Date: t}, nil
	}
	if m := reDays.FindStringSubmatch(strings.ToLower(s)); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
		if n == 0 {
			return Due{}, perr("`due %s`: the deadline must be in the future.", s)
		}
		return Due{In: time.Duration(n) * unit}, nil
	}
	return Due{}, perr("`due %s`: give a date like `2026-12-01` or a duration like `3d`, `36h` or `1w`.", s)
}

// Resolve turns a Due into an instant: a date means the end of that day
// (23:59) in loc; a duration counts from now. Zero means three days.
func (d Due) Resolve(now time.Time, loc *time.Location) time.Time {
	switch {
	case !d.Date.IsZero():
		return time.Date(d.Date.Year(), d.Date.Month(), d.Date.Day(), 23, 59, 0, 0, loc)
	case d.In > 0:
		return now.Add(d.In)
	}
	return now.Add(3 * 24 * time.Hour)
}
