package present

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// goldenFile compares got with testdata/name, or with -update writes it
// there. Review the diff of an intended change before committing it.
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/present -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run go test ./internal/present -update and review the diff\ngot:\n%s", path, got)
	}
}

// goldenJSON is goldenFile of v as indented JSON.
func goldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, name, append(got, '\n'))
}

var (
	fixedClosesEarly = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	fixedSchedule    = &assessment.Schedule{
		ID: "sgolden1", Spec: "0 9 1 */3 *", TZ: "Europe/Berlin", FrameworkID: "cs-exec-maturity",
		Audience: "<@U1> <!subteam^S1>", DigestChannel: "CLEADS", CreatedBy: "UADA", Window: 7 * 24 * time.Hour,
		Next: time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC),
	}
	fixedRuns = []time.Time{fixedSchedule.Next, fixedSchedule.Next.AddDate(0, 3, 0), fixedSchedule.Next.AddDate(0, 6, 0)}
)

// closed is fixedReview once closed.
func closed() *assessment.Review {
	r := *fixedReview
	r.Status = assessment.StatusClosed
	return &r
}

// TestMessagesGolden: one golden file per message a person reads in a DM,
// a channel or the App Home (testdata/*.golden.json, whose buttons
// handlers' tests decode), per form (testdata/forms) and per reply
// (testdata/replies).
func TestMessagesGolden(t *testing.T) {
	f := shipped(t, "cs-exec-maturity")
	resp := assessment.Response{Respondent: "U1", Answers: map[string]assessment.Answer{"retention-responsibility": {Option: "average"}}, Submitted: true}
	blocks := map[string][]slack.Block{
		"reminder-new":         Reminder(fixedReview, f, 0, 10),
		"reminder-started":     Reminder(fixedReview, f, 3, 10),
		"thanks":               Thanks(fixedReview, f, resp, time.Time{}),
		"thanks-everyone":      Thanks(fixedReview, f, resp, fixedClosesEarly),
		"home":                 Home(review.Home{}),
		"home-admin":           Home(fixedHome(f)),
		"digest-refused":       {DigestRefused(fixedReview, "not_in_channel")},
		"schedule-not-started": second(ScheduleNotStarted(fixedSchedule, fixedSchedule.Next, assessment.NewError(assessment.EINVALID, assessment.UnknownFramework{ID: "cs-old", Known: []string{"cs-exec-maturity"}}))),
		"schedule-orphaned":    second(ScheduleOrphaned(fixedSchedule, fixedSchedule.Next)),
		"snoozed":              second(Snoozed(fixedReview, fixedClosesEarly)),
		"opted-out":            second(OptedOut(fixedReview)),
		"moved":                second(Moved(f, 0)),
	}
	for name, bs := range blocks {
		t.Run(name, func(t *testing.T) { golden(t, name, bs) })
	}
	t.Run("digest-thread", func(t *testing.T) { goldenJSON(t, "digest-thread.golden.json", DigestThread(fixedDigest(t))) })

	ref, _ := f.Lookup("retention-responsibility")
	meta := codec.TextMeta{Review: fixedReview.ID, Question: ref.Question.ID, Channel: "D1"}
	forms := map[string]slack.ModalViewRequest{
		"start":    StartForm([]*assessment.Framework{f}, []slack.UserGroup{{ID: "S1", Handle: "cs-team"}, {ID: "S2", Handle: "gone", DateDelete: 1}}, fixedReview.Deadline, "C1"),
		"schedule": ScheduleForm([]*assessment.Framework{f}, nil, "Europe/Berlin", "C1"),
		"comment":  TextForm(ref, assessment.Answer{Option: "average", Comment: "Depends"}, true, meta),
	}
	for name, v := range forms {
		t.Run("form-"+name, func(t *testing.T) { goldenJSON(t, filepath.Join("forms", name+".golden.json"), v) })
	}

	for name, text := range replies(t) {
		t.Run("reply-"+name, func(t *testing.T) { goldenFile(t, filepath.Join("replies", name+".golden.txt"), []byte(text+"\n")) })
	}
}

func second(_ string, blocks []slack.Block) []slack.Block { return blocks }

// fixedHome is an admin's Home: a review to start, one submitted, one
// closed; recent reviews and an upcoming run.
func fixedHome(f *assessment.Framework) review.Home {
	open, done := *fixedReview, *fixedReview
	open.ID, done.ID = "ropen1", "rdone1"
	return review.Home{
		Reviews: []review.HomeReview{
			{Review: &open, Framework: f, Answered: 3, Total: 10},
			{Review: fixedReview, Framework: f, Answered: 10, Total: 10, Submitted: true, ClosesEarly: fixedClosesEarly},
			{Review: closed(), Framework: f, Answered: 9, Total: 10},
		},
		Admin: true,
		Recent: []review.AdminReview{
			{Review: &done, Submitted: 2},
			{Review: closed(), Submitted: 4, Summary: "band: Growing"},
		},
		Upcoming: []*assessment.Schedule{fixedSchedule},
	}
}

// replies are the replies to /review, by name.
func replies(t *testing.T) map[string]string {
	f := shipped(t, "cs-exec-maturity")
	st := review.Status{Review: fixedReview, Invited: 4, Started: 1, Submitted: 2, PendingIntros: 1, PendingReminders: 2}
	below := assessment.NewError(assessment.EINVALID, assessment.AudienceBelowThreshold{People: 2, Threshold: 3})
	notFound := assessment.NewError(assessment.ENOTFOUND, assessment.NoReviews{})
	return map[string]string{
		"help":                     Help,
		"not-admin":                NotAdmin(true),
		"no-admin":                 NotAdmin(false),
		"frameworks":               Frameworks([]*assessment.Framework{f, shipped(t, "cs-foundations")}),
		"started":                  Started(fixedReview, f, false),
		"started-now":              Started(fixedReview, f, true),
		"not-started-command":      NotStarted(below, false),
		"not-started-form":         NotStarted(below, true),
		"status":                   Status(st, []*assessment.Schedule{fixedSchedule}),
		"status-closed":            Status(review.Status{Review: closed(), Invited: 4, Submitted: 4}, nil),
		"status-away":              Status(review.Status{Review: fixedReview, Invited: 6, Started: 1, Submitted: 2, Away: 2, PendingIntros: 3}, nil),
		"status-closed-away":       Status(review.Status{Review: closed(), Invited: 6, Submitted: 4, Away: 1}, nil),
		"no-status":                NoStatus(notFound, []*assessment.Schedule{fixedSchedule}),
		"closed":                   Closed(review.Closing{Review: fixedReview, Closed: true, Posted: true}),
		"closed-not-posted":        Closed(review.Closing{Review: fixedReview, Closed: true}),
		"already-closed":           Closed(review.Closing{Review: fixedReview, Posted: true}),
		"already-closing":          Closed(review.Closing{Review: fixedReview}),
		"forgot":                   Forgot("U9", review.Forgotten{Reviews: []string{"r1", "r2"}, Jobs: 1}),
		"results-pending":          ResultsPending(review.Results{Review: fixedReview, Counts: st}),
		"export-aggregates":        ExportedAggregates(3, 5),
		"exported":                 Exported(6, 4),
		"export-files":             exportFiles(f),
		"file-refused":             FileRefused(errors.New("timeout")),
		"schedules":                Schedules([]*assessment.Schedule{fixedSchedule}),
		"schedule-added":           ScheduleAdded(fixedSchedule, f, fixedRuns),
		"next-runs":                NextRuns(fixedSchedule, fixedRuns),
		"schedule-changed":         strings.Join([]string{ScheduleRemoved("sgolden1"), SchedulePaused("sgolden1"), ScheduleResumed("sgolden1", fixedSchedule.Next)}, "\n"),
		"schedules-orphaned":       Schedules([]*assessment.Schedule{orphaned(fixedSchedule)}),
		"schedule-taken":           ScheduleTaken(fixedSchedule),
		"other-workspace":          OtherWorkspace,
		"start-form-not-opened":    StartFormNotOpened(slack.SlackErrorResponse{Err: "expired_trigger_id"}),
		"schedule-form-not-opened": ScheduleFormNotOpened(errors.New("timeout")),
		"text-not-saved":           TextNotSaved("We renew <late>\nmost of the time"),
		"field-below-threshold":    FieldBelowThreshold(2, 3),
	}
}

// orphaned is a copy of sc whose creator is no longer an admin.
func orphaned(sc *assessment.Schedule) *assessment.Schedule {
	c := *sc
	c.Orphaned = true
	return &c
}

func exportFiles(f *assessment.Framework) string {
	var l []string
	for _, x := range []ExportFile{AggregatesFile(fixedReview, f, 3, 5), ResponsesFile(fixedReview, f, 3, 5), OpenAnswersFile(fixedReview)} {
		l = append(l, x.Name+" · "+x.Title+" · "+x.Comment)
	}
	return strings.Join(l, "\n")
}
