package handlers

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

func TestParseCommand(t *testing.T) {
	date := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    Command
		wantErr string
	}{
		{in: "", want: Command{}},
		{in: "help", want: Command{Verb: "help"}},
		{in: "HELP", want: Command{Verb: "help"}},
		{in: "frameworks", want: Command{Verb: "frameworks"}},
		{in: "status", want: Command{Verb: "status"}},
		{in: "status r4k9x2mq", want: Command{Verb: "status", ReviewID: "r4k9x2mq"}},
		{in: "close r4k9x2mq", want: Command{Verb: "close", ReviewID: "r4k9x2mq"}},
		{in: "close everything", wantErr: "not a review id"},
		{in: "status a b", wantErr: "/review status <id>"},
		{in: "help me", wantErr: "takes no arguments"},
		{in: "launch", wantErr: "/review help"},
		{
			in: "start cs-excellence to <@U1|alice> <@U2> <!subteam^S1|@cs-team> <#C1|cs-all> digest <#C2|cs-leadership> due 2026-12-01",
			want: Command{Verb: "start", Framework: "cs-excellence", Users: []string{"U1", "U2"}, Usergroups: []string{"S1"},
				Channels: []string{"C1"}, Digest: "C2", Due: Due{Date: date}},
		},
		{
			in:   "start cs-checklist to <@U1|a> due 3d threshold 5",
			want: Command{Verb: "start", Framework: "cs-checklist", Users: []string{"U1"}, Due: Due{In: 72 * time.Hour}, Threshold: 5},
		},
		{in: "start cs-checklist to <@U1|a> due 1w", want: Command{Verb: "start", Framework: "cs-checklist", Users: []string{"U1"}, Due: Due{In: 7 * 24 * time.Hour}}},
		{
			in: "start cs-checklist to <!subteam^S1|@cs-emea> <!subteam^S2|@cs-amer> by <!subteam^S1|@cs-emea> <#C9|cs-amer> <!subteam^S1> digest <#C2|leads>",
			want: Command{Verb: "start", Framework: "cs-checklist", Usergroups: []string{"S1", "S2"}, Digest: "C2",
				Segments: []assessment.Segment{{ID: "S1", Name: "cs-emea"}, {ID: "C9", Name: "cs-amer"}}},
		},
		{in: "start cs-checklist by <!subteam^S1|@cs-emea> to <@U1>", want: Command{Verb: "start", Framework: "cs-checklist", Users: []string{"U1"}, Segments: []assessment.Segment{{ID: "S1", Name: "cs-emea"}}}},
		{in: "start cs-checklist to <@U1> by <@U2>", wantErr: "not a user group or channel"},
		{in: "start cs-checklist to <@U1> by @cs-emea", wantErr: "autocomplete"},
		{in: "start cs-checklist to <@U1> by", want: Command{Verb: "start", Framework: "cs-checklist", Users: []string{"U1"}}},
		{in: "start", wantErr: "Which framework"},
		{in: "start cs-excellence", wantErr: "Who should answer"},
		{in: "start cs-excellence to", wantErr: "Who should answer"},
		{in: "start cs-excellence to @alice", wantErr: "autocomplete"},
		{in: "start cs-excellence to alice", wantErr: "not a person"},
		{in: "start cs-excellence <@U1>", wantErr: "did not understand"},
		{in: "start cs-excellence to <@U1> digest", wantErr: "needs a channel"},
		{in: "start cs-excellence to <@U1> digest #leads", wantErr: "autocomplete"},
		{in: "start cs-excellence to <@U1> due tomorrow", wantErr: "2026-12-01"},
		{in: "start cs-excellence to <@U1> due 0d", wantErr: "future"},
		{in: "start cs-excellence to <@U1> threshold 0", wantErr: "at least 3"},
		{in: "start cs-excellence to <@U1> threshold 1", wantErr: "cannot be 1: it is at least 3"},
		{in: "start cs-excellence to <@U1> threshold 2", wantErr: "cannot be 2: it is at least 3"},
		{in: "start cs-excellence to <@U1> threshold 51", wantErr: "between 3 and 50"},
		{in: "start cs-excellence to <@U1> threshold many", wantErr: "3 to 50"},
		{in: "start cs-excellence to <@U1> threshold", wantErr: "needs a number"},
		{in: "start cs-checklist to <@U1|a> threshold 4 detail 7", want: Command{Verb: "start", Framework: "cs-checklist", Users: []string{"U1"}, Threshold: 4, Detail: 7}},
		{in: "start cs-excellence to <@U1> detail 4", wantErr: "from 5 to 50"},
		{in: "start cs-excellence to <@U1> detail 0", wantErr: "from 5 to 50"},
		{in: "start cs-excellence to <@U1> detail 51", wantErr: "from 5 to 50"},
		{in: "start cs-excellence to <@U1> detail", wantErr: "needs a number"},
		{
			in:   "start cs-checklist to <@U1|a> grace 2h anyway",
			want: Command{Verb: "start", Framework: "cs-checklist", Users: []string{"U1"}, Grace: 2 * time.Hour, Anyway: true},
		},
		{in: "start cs-checklist to <@U1|a> grace 1d", want: Command{Verb: "start", Framework: "cs-checklist", Users: []string{"U1"}, Grace: 24 * time.Hour}},
		{in: "start cs-excellence to <@U1> grace", wantErr: "needs a duration"},
		{in: "start cs-excellence to <@U1> grace 10s", wantErr: "from `1m` to `7d`"},
		{in: "start cs-excellence to <@U1> grace 8d", wantErr: "from `1m` to `7d`"},
		{
			in: `schedule add "0 9 * * 1" cs-checklist to <@U1|a> window 2d grace 30m`,
			want: Command{Verb: "schedule", Sub: "add", Spec: "0 9 * * 1", Framework: "cs-checklist", Users: []string{"U1"},
				Window: 48 * time.Hour, Grace: 30 * time.Minute},
		},
		{in: `schedule add "0 9 * * 1" cs-checklist to <@U1|a> anyway`, wantErr: "not a person"},
		{
			in:   `schedule add @monthly cs-checklist to <!subteam^S1|@cs> by <!subteam^S1|@cs> <#C3|amer>`,
			want: Command{Verb: "schedule", Sub: "add", Spec: "@monthly", Framework: "cs-checklist", Usergroups: []string{"S1"}, Segments: []assessment.Segment{{ID: "S1", Name: "cs"}, {ID: "C3", Name: "amer"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCommand(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDueResolve(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		due  Due
		want time.Time
	}{
		{Due{}, now.Add(72 * time.Hour)},
		{Due{In: 36 * time.Hour}, now.Add(36 * time.Hour)},
		{Due{Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, time.Date(2026, 12, 1, 23, 59, 0, 0, berlin)},
	}
	for _, tc := range tests {
		if got := tc.due.Resolve(now, berlin); !got.Equal(tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.due, got, tc.want)
		}
	}
}
