package review

import (
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

func TestAwayRule(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	later := now.Add(72 * time.Hour)
	rule := NewAwayRule([]string{"Urlaub", " krank ", ":beach_with_umbrella:", "off grid"})
	cases := []struct {
		name      string
		st        assessment.SlackStatus
		away      bool
		wantUntil time.Time
	}{
		{"no status", assessment.SlackStatus{}, false, time.Time{}},
		{"holiday with expiry", assessment.SlackStatus{Text: "Holiday", Expires: later}, true, later},
		{"vacation without expiry", assessment.SlackStatus{Text: "On vacation until Monday"}, true, time.Time{}},
		{"case-insensitive phrase", assessment.SlackStatus{Text: "OUT OF OFFICE"}, true, time.Time{}},
		{"phrase across punctuation", assessment.SlackStatus{Text: "out-of-office, back soon"}, true, time.Time{}},
		{"sick", assessment.SlackStatus{Text: "off sick"}, true, time.Time{}},
		{"parental leave", assessment.SlackStatus{Text: "Parental leave 🍼"}, true, time.Time{}},
		{"half a phrase", assessment.SlackStatus{Text: "out of ideas"}, false, time.Time{}},
		{"whole words only", assessment.SlackStatus{Text: "homesick for the office"}, false, time.Time{}},
		{"a word inside another", assessment.SlackStatus{Text: "vacationer tips"}, false, time.Time{}},
		{"ooo", assessment.SlackStatus{Text: "OOO"}, true, time.Time{}},
		{"palm tree emoji", assessment.SlackStatus{Emoji: ":palm_tree:"}, true, time.Time{}},
		{"airplane emoji with a skin tone", assessment.SlackStatus{Emoji: ":airplane::skin-tone-2:", Text: "Flying to Lisbon", Expires: later}, true, later},
		{"thermometer face", assessment.SlackStatus{Emoji: ":face_with_thermometer:"}, true, time.Time{}},
		{"an away emoji in the text", assessment.SlackStatus{Text: "back Monday :palm_tree:"}, true, time.Time{}},
		{"an emoji code is not a word", assessment.SlackStatus{Emoji: ":sick_cat:"}, false, time.Time{}},
		{"in a meeting", assessment.SlackStatus{Text: "In a meeting", Emoji: ":spiral_calendar_pad:"}, false, time.Time{}},
		{"an admin's word", assessment.SlackStatus{Text: "Im Urlaub"}, true, time.Time{}},
		{"an admin's word, spaces trimmed", assessment.SlackStatus{Text: "KRANK"}, true, time.Time{}},
		{"an admin's emoji", assessment.SlackStatus{Emoji: ":Beach_With_Umbrella:"}, true, time.Time{}},
		{"an admin's phrase", assessment.SlackStatus{Text: "off grid this week"}, true, time.Time{}},
		{"expired", assessment.SlackStatus{Text: "Vacation", Expires: now}, false, time.Time{}},
		{"expired a while ago", assessment.SlackStatus{Emoji: ":palm_tree:", Expires: now.Add(-time.Hour)}, false, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			away, until := rule.Away(tc.st, now)
			if away != tc.away || !until.Equal(tc.wantUntil) {
				t.Errorf("Away(%+v) = %v, %v; want %v, %v", tc.st, away, until, tc.away, tc.wantUntil)
			}
		})
	}
	if away, _ := NewAwayRule(nil).Away(assessment.SlackStatus{Text: "Urlaub"}, now); away {
		t.Error("an admin's word counts without AWAY_WORDS")
	}
}
