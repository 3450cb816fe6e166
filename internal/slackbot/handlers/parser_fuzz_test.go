package handlers

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assessbot/assessbot/internal/schedule"
)

// commandSeeds are the forms of TestParseCommand plus the schedule forms.
var commandSeeds = []string{
	"",
	"   ",
	"help",
	"HELP",
	"frameworks",
	"status",
	"status r4k9x2mq",
	"close r4k9x2mq",
	"close everything",
	"status a b",
	"help me",
	"launch",
	"start cs-checklist to <@U1|a> grace 2h anyway",
	"start cs-checklist to <@U1|a> grace 10s",
	`schedule add "0 9 * * 1" cs-checklist to <@U1|a> grace 30m`,
	"start cs-excellence to <@U1|alice> <@U2> <!subteam^S1|@cs-team> <#C1|cs-all> digest <#C2|cs-leadership> due 2026-12-01",
	"start cs-checklist to <@U1|a> due 3d threshold 5",
	"start cs-checklist to <@U1|a> due 1w",
	"start",
	"start cs-excellence",
	"start cs-excellence to",
	"start cs-excellence to @alice",
	"start cs-excellence to alice",
	"start cs-excellence <@U1>",
	"start cs-excellence to <@U1> digest",
	"start cs-excellence to <@U1> digest #leads",
	"start cs-excellence to <@U1> due tomorrow",
	"start cs-excellence to <@U1> due 0d",
	"start cs-excellence to <@U1> threshold 0",
	"start cs-excellence to <@U1> threshold",
	"start cs-excellence to <@U1> threshold 50 now remind 50%,24h",
	"start cs-excellence to <@W1> remind none",
	"start cs-excellence to <@U1> remind 30m,90m,10s",
	"start cs-excellence to <@U1> remind 1h0m30s",
	"results r4k9x2mq",
	"export",
	"start cs-excellence to <@U1> remind",
	"start cs-excellence to <@U1> window 7d",
	"schedule",
	"schedules list",
	"schedule list",
	"schedule list extra",
	"schedule pause s1234",
	"schedule resume s1234",
	"schedule remove s1234",
	"schedule next s1234",
	"schedule pause",
	"schedule frobnicate",
	`schedule add "0 9 1 */3 *" cs-excellence to <@U1|a> digest <#C1|x> window 7d tz Europe/Berlin remind 50%,24h`,
	"schedule add “0 9 1 */3 *” cs-excellence to <@U1|a> digest <#C1|x> window 7d tz Europe/Berlin",
	"schedule add @monthly cs-excellence to <!subteam^S1|@cs> threshold 3",
	`schedule add "0 9 * * 1 cs-excellence to <@U1>`,
	`schedule add "0 9 * * 1"`,
	`schedule add "0 9 * * 1"cs to <@U1>`,
	"schedule add",
	`schedule add "" cs to <@U1>`,
	"schedule add @monthly cs to <@U1> due 3d",
	"schedule add @monthly cs to <@U1> window 1m",
	"schedule add @monthly cs to <@U1> window",
	"schedule add @monthly cs to <@U1> tz",
	"schedule add a“b to <@U1>",
	"start cs to <@U1|a|b> <#G1> <!subteam^S2>",
	"start cs to <@u1>",
	"start cs to <@U1",
	"START CS TO <@U1> THRESHOLD +7 DUE 999H",
}

var reSlackID = regexp.MustCompile(`^[A-Z0-9]+$`)

// verbs are the commands ParseCommand knows (results and export came after
// the original list).
var verbs = map[string]bool{"": true, "help": true, "frameworks": true, "start": true, "status": true, "close": true, "schedule": true, "results": true, "export": true}

func FuzzParseCommand(f *testing.F) {
	for _, s := range commandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCommand(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("ParseCommand(%q): error %T %v is not a *ParseError", text, err, err)
			}
			if strings.TrimSpace(pe.Msg) == "" {
				t.Fatalf("ParseCommand(%q): empty error message", text)
			}
			return
		}
		if !verbs[c.Verb] {
			t.Fatalf("ParseCommand(%q): verb %q", text, c.Verb)
		}
		if c.Verb == "" && strings.TrimSpace(text) != "" && len(strings.Fields(text)) > 0 {
			t.Fatalf("ParseCommand(%q): no verb for a non-empty command", text)
		}
		for kind, ids := range map[string][]string{"user": c.Users, "channel": c.Channels, "usergroup": c.Usergroups} {
			for _, id := range ids {
				if !reSlackID.MatchString(id) {
					t.Fatalf("ParseCommand(%q): %s id %q", text, kind, id)
				}
			}
		}
		if c.Digest != "" && !reSlackID.MatchString(c.Digest) {
			t.Fatalf("ParseCommand(%q): digest channel %q", text, c.Digest)
		}
		audience := len(c.Users) + len(c.Usergroups) + len(c.Channels)
		if c.Verb == "start" && audience == 0 {
			t.Fatalf("ParseCommand(%q): a start command with no audience", text)
		}
		if c.Verb == "schedule" && c.Sub == "add" && audience == 0 {
			t.Fatalf("ParseCommand(%q): a schedule with no audience", text)
		}
		if c.Threshold < 0 || c.Threshold > 50 {
			t.Fatalf("ParseCommand(%q): threshold %d", text, c.Threshold)
		}
		// Reminders are stored as strings and parsed again when they fall due:
		// each must parse back to one reminder, unchanged.
		for _, r := range c.Reminders {
			rs, err := schedule.ParseReminders(r)
			if err != nil || len(rs) != 1 || rs[0].String() != r {
				t.Fatalf("ParseCommand(%q): reminder %q does not parse back: %v %v", text, r, rs, err)
			}
		}
		if c.Due.In < 0 {
			t.Fatalf("ParseCommand(%q): due %v in the past", text, c.Due.In)
		}
		if c.Verb == "start" && c.Framework == "" {
			t.Fatalf("ParseCommand(%q): start without a framework", text)
		}
		if c.ReviewID != "" && !reReviewID.MatchString(c.ReviewID) {
			t.Fatalf("ParseCommand(%q): review id %q", text, c.ReviewID)
		}
		if c.ScheduleID != "" && !reScheduleID.MatchString(c.ScheduleID) {
			t.Fatalf("ParseCommand(%q): schedule id %q", text, c.ScheduleID)
		}
		if c.Verb != "schedule" && (c.Sub != "" || c.Spec != "" || c.TZ != "" || c.Window != 0) {
			t.Fatalf("ParseCommand(%q): schedule fields on a %q command: %+v", text, c.Verb, c)
		}
		if c.Sub == "add" && c.Framework == "" {
			t.Fatalf("ParseCommand(%q): schedule add without a framework", text)
		}
		// An unquoted spec is one word; the framework is the next one, never
		// the spec word read a second time.
		if f := strings.Fields(text); c.Sub == "add" && len(f) > 3 && f[2] == c.Spec {
			want := strings.ToLower(strings.NewReplacer("“", `"`, "”", `"`).Replace(f[3]))
			if c.Framework != want {
				t.Fatalf("ParseCommand(%q): spec %q, framework %q, want %q", text, c.Spec, c.Framework, want)
			}
		}
		if utf8.ValidString(text) && !utf8.ValidString(c.Framework) {
			t.Fatalf("ParseCommand(%q): framework %q is not valid UTF-8", text, c.Framework)
		}
		// Parsing is deterministic.
		c2, err2 := ParseCommand(text)
		if err2 != nil || c2.Verb != c.Verb || c2.Framework != c.Framework || c2.Threshold != c.Threshold {
			t.Fatalf("ParseCommand(%q) gave %+v then %+v, %v", text, c, c2, err2)
		}
	})
}
