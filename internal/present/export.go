package present

import (
	"fmt"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The words of `/review export`: the comments of the files it sends, and
// what it tells the asker.

// ExportFile is one file of an export: its name and title, and the comment
// it comes with.
type ExportFile struct {
	Name, Title, Comment string
}

// AggregatesFile is the export's aggregates.
func AggregatesFile(r *assessment.Review, f *assessment.Framework, threshold, detail int) ExportFile {
	return ExportFile{Name: r.ID + "-aggregates.csv", Title: "Aggregates of " + r.ID, Comment: fmt.Sprintf(
		"Aggregates of review `%s` (%s): one row per section and question, with the figures its digest shows (section figures from %d respondents, question figures and counts from %d).", r.ID, escape(f.Title), threshold, detail)}
}

// ExportedWithoutFigures says the aggregates went out with no figures at
// all, and why (the digest's withheld note).
func ExportedWithoutFigures(note string) string {
	return "I sent you the aggregates in a DM, without figures: " + escape(note)
}

// ResponsesFile is the export's anonymised responses.
func ResponsesFile(r *assessment.Review, f *assessment.Framework, threshold, detail int) ExportFile {
	return ExportFile{Name: r.ID + "-responses.csv", Title: "Responses to " + r.ID, Comment: fmt.Sprintf(
		"Anonymised responses to `%s`: respondents are numbered in a shuffled order. Recompute the digest with `assessbot score --framework %s --answers %s-responses.csv --threshold %d --detail %d`.",
		r.ID, f.ID, r.ID, threshold, detail)}
}

// OpenAnswersFile is the export's open answers and comments.
func OpenAnswersFile(r *assessment.Review) ExportFile {
	return ExportFile{Name: r.ID + "-open-answers.csv", Title: "Open answers to " + r.ID, Comment: fmt.Sprintf(
		"Open answers and comments to `%s`, shuffled on their own: no row says whose they are, or joins them to anyone's choices.", r.ID)}
}

// NoDM says the export could not open a DM with the asker.
const NoDM = "I could not open a DM with you to send the files. Try again in a minute."

// FileRefused says Slack did not take a file.
func FileRefused(err error) string {
	return "Slack did not take the file (" + SlackErr(err) + "). Try again in a minute."
}

// ExportedAggregates says only the aggregates were sent: too few answered
// for the rows.
func ExportedAggregates(answered, detail int) string {
	return fmt.Sprintf("I sent you the aggregates in a DM. The per-respondent files are withheld: %d people answered, and rows are exported only from %d, so nobody can be recognised.", answered, detail)
}

// Exported says every file was sent.
func Exported(responses, texts int) string {
	return fmt.Sprintf("I sent you the files in a DM: the aggregates, %d anonymised responses and %d open answers and comments.", responses, texts)
}
