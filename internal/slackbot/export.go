package slackbot

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/review"
)

// resultsCommand shows a review's digest to the asker only. While the
// review is open it shows the response counts alone: figures that move
// with each click would tell what each person answered.
func (b *Bot) resultsCommand(ctx context.Context, sc slack.SlashCommand, id string) {
	res, err := b.svc.Results(ctx, id, sc.UserID)
	if err != nil {
		b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, b.tell(opResults, err))
		return
	}
	if res.Digest == nil {
		b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, countsText(res.Counts)+"\n"+fmt.Sprintf(
			"⏳ Figures are shown once the review closes (%s): while it is open, a figure that moves with one click would say what that person answered.", slackDate(res.Review.Deadline)))
		return
	}
	d, r := *res.Digest, res.Review
	blocks := digestBlocks(d, r)
	err = b.send.do(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := b.sl.api.PostEphemeralContext(ctx, sc.ChannelID, sc.UserID, slack.MsgOptionText(digestText(d), false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		_, _ = b.sl.post(ctx, sc.UserID, digestText(d), blocks)
	}
}

// exportCommand sends the asker, in a DM, the CSV files of a closed
// review: the aggregates; the anonymised choices (respondents numbered in a
// fresh random order, the columns `assessbot score` reads, so the figures
// can be recomputed); and the open answers and comments in a file of their
// own, shuffled apart. Rows are withheld below the detail threshold.
func (b *Bot) exportCommand(ctx context.Context, sc slack.SlashCommand, id string) {
	reply := func(text string) { b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, text) }
	ex, err := b.svc.Export(ctx, id, sc.UserID)
	if err != nil {
		reply(b.tell(opExport, err))
		return
	}
	r, f := ex.Review, ex.Framework
	ch := b.sl.dmChannel(ctx, sc.UserID)
	if ch == "" {
		reply("I could not open a DM with you to send the files. Try again in a minute.")
		return
	}
	upload := func(name, title string, data []byte, comment string) error {
		return b.send.do(ctx, "files.upload", func(ctx context.Context) error {
			_, err := b.sl.api.UploadFileContext(ctx, slack.UploadFileParameters{
				Channel: ch, Filename: name, Title: title, Content: string(data), FileSize: len(data), InitialComment: comment,
			})
			return err
		})
	}
	if err := upload(r.ID+"-aggregates.csv", "Aggregates of "+r.ID, aggregatesCSV(ex.Digest), fmt.Sprintf(
		"Aggregates of review `%s` (%s): one row per section and question, with the figures its digest shows (section figures from %d respondents, question figures and counts from %d).", r.ID, escape(f.Title), ex.Digest.Result.Threshold, ex.Detail)); err != nil {
		reply("Slack did not take the file (" + slackErr(err) + "). Try again in a minute.")
		return
	}
	if ex.Responses == nil && ex.Digest.Withholds(digest.FigAll) {
		reply("I sent you the aggregates in a DM, without figures: " + escape(ex.Digest.WithheldNote()))
		return
	}
	if ex.Responses == nil {
		reply(fmt.Sprintf("I sent you the aggregates in a DM. The per-respondent files are withheld: %d people answered, and rows are exported only from %d, so nobody can be recognised.", ex.Answered, ex.Detail))
		return
	}
	var buf bytes.Buffer
	if err := answersheet.Write(&buf, f, ex.Responses); err != nil {
		reply(b.tell(opExport, err))
		return
	}
	if err := upload(r.ID+"-responses.csv", "Responses to "+r.ID, buf.Bytes(), fmt.Sprintf(
		"Anonymised responses to `%s`: respondents are numbered in a shuffled order. Recompute the digest with `assessbot score --framework %s --answers %s-responses.csv --threshold %d --detail %d`.",
		r.ID, f.ID, r.ID, ex.Digest.Result.Threshold, ex.Detail)); err != nil {
		reply("Slack did not take the file (" + slackErr(err) + "). Try again in a minute.")
		return
	}
	if len(ex.Texts) > 0 {
		if err := upload(r.ID+"-open-answers.csv", "Open answers to "+r.ID, textsCSV(f, ex.Texts), fmt.Sprintf(
			"Open answers and comments to `%s`, shuffled on their own: no row says whose they are, or joins them to anyone's choices.", r.ID)); err != nil {
			reply("Slack did not take the file (" + slackErr(err) + "). Try again in a minute.")
			return
		}
	}
	b.log.Info("review exported", "review", r.ID, "by", sc.UserID, "rows", len(ex.Responses), "texts", len(ex.Texts))
	reply(fmt.Sprintf("I sent you the files in a DM: the aggregates, %d anonymised responses and %d open answers and comments.", len(ex.Responses), len(ex.Texts)))
}

// textsCSV writes the open answers and comments, one a row.
func textsCSV(f *assessment.Framework, texts []review.Text) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"question", "question_text", "kind", "text"})
	for _, t := range texts {
		kind, text := "answer", ""
		if t.Comment {
			kind = "comment"
		}
		if ref, ok := f.Lookup(t.QuestionID); ok {
			text = ref.Question.Text
		}
		_ = w.Write([]string{t.QuestionID, text, kind, t.Text})
	}
	w.Flush()
	return buf.Bytes()
}

// aggregatesCSV writes one row per section and per question.
func aggregatesCSV(d digest.Digest) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"kind", "id", "section", "title", "score", "divergence", "split", "answered", "not_sure", "withheld", "agreement", "agreement_band"})
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 4, 64)
	}
	for _, s := range d.Result.Sections {
		_ = w.Write([]string{"section", s.ID, s.ID, s.Title, num(s.Score), num(s.Divergence), strconv.FormatBool(s.Split),
			strconv.Itoa(s.Answered), strconv.Itoa(s.NotSure), strconv.FormatBool(s.Withheld), num(s.Agreement), string(s.AgreementBand)})
	}
	for _, q := range d.Result.Questions {
		kind := "question"
		if q.IsText {
			kind = "open question"
		}
		_ = w.Write([]string{kind, q.ID, q.Section, q.Text, num(q.Score), num(q.Divergence), strconv.FormatBool(q.Split),
			strconv.Itoa(q.Answered), strconv.Itoa(q.NotSure), strconv.FormatBool(q.Withheld), num(q.Agreement), string(q.AgreementBand)})
	}
	w.Flush()
	return buf.Bytes()
}
