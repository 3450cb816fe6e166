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
)

// resultsCommand shows a review's digest to the asker only: the final one
// for a closed review, the figures so far for an open one.
func (b *Bot) resultsCommand(ctx context.Context, sc slack.SlashCommand, id string) {
	r, _, err := b.svc.Latest(ctx, id)
	if err != nil {
		b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, b.tell(opResults, err))
		return
	}
	d, r, err := b.svc.Digest(ctx, r.ID)
	if err != nil {
		b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, b.tell(opResults, err))
		return
	}
	blocks := digestBlocks(d, r)
	if r.Status == assessment.StatusOpen {
		blocks = append([]slack.Block{slack.NewContextBlock("interim", mrkdwn(fmt.Sprintf(
			"⏳ Interim results: the review is open until %s. Only you see this.", slackDate(r.Deadline))))}, blocks...)
	}
	err = b.send.do(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := b.sl.api.PostEphemeralContext(ctx, sc.ChannelID, sc.UserID, slack.MsgOptionText(digestText(d), false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		_, _ = b.sl.post(ctx, sc.UserID, digestText(d), blocks)
	}
}

// exportCommand sends the asker, in a DM, two CSV files: the anonymised
// responses (respondents numbered in a shuffled order, the columns
// `assessbot score` reads, so the figures can be recomputed) and the
// aggregates. Per-respondent rows are withheld below the distribution
// threshold.
func (b *Bot) exportCommand(ctx context.Context, sc slack.SlashCommand, id string) {
	reply := func(text string) { b.sl.ephemeral(ctx, sc.ChannelID, sc.UserID, text) }
	ex, err := b.svc.Export(ctx, id)
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
		"Aggregates of review `%s` (%s): one row per section and question. Figures are withheld where fewer than %d answered.", r.ID, escape(f.Title), r.Threshold)); err != nil {
		reply("Slack did not take the file (" + slackErr(err) + "). Try again in a minute.")
		return
	}
	if ex.Responses == nil {
		reply(fmt.Sprintf("I sent you the aggregates in a DM. The per-respondent file is withheld: %d people answered, and rows are exported only from %d, so nobody can be recognised.", ex.Answered, r.DistributionThreshold()))
		return
	}
	var buf bytes.Buffer
	if err := answersheet.Write(&buf, f, ex.Responses); err != nil {
		reply(b.tell(opExport, err))
		return
	}
	if err := upload(r.ID+"-responses.csv", "Responses to "+r.ID, buf.Bytes(), fmt.Sprintf(
		"Anonymised responses to `%s`: respondents are numbered in a shuffled order. Recompute the digest with `assessbot score --framework %s --answers %s-responses.csv --threshold %d`.",
		r.ID, f.ID, r.ID, r.Threshold)); err != nil {
		reply("Slack did not take the file (" + slackErr(err) + "). Try again in a minute.")
		return
	}
	b.log.Info("review exported", "review", r.ID, "by", sc.UserID, "rows", len(ex.Responses))
	reply(fmt.Sprintf("I sent you two files in a DM: the aggregates and %d anonymised responses.", len(ex.Responses)))
}

// aggregatesCSV writes one row per section and per question.
func aggregatesCSV(d digest.Digest) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"kind", "id", "section", "title", "score", "divergence", "split", "answered", "not_sure", "withheld"})
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 4, 64)
	}
	for _, s := range d.Result.Sections {
		_ = w.Write([]string{"section", s.ID, s.ID, s.Title, num(s.Score), num(s.Divergence), strconv.FormatBool(s.Split),
			strconv.Itoa(s.Answered), strconv.Itoa(s.NotSure), strconv.FormatBool(s.Withheld)})
	}
	for _, q := range d.Result.Questions {
		kind := "question"
		if q.IsText {
			kind = "open question"
		}
		_ = w.Write([]string{kind, q.ID, q.Section, q.Text, num(q.Score), num(q.Divergence), strconv.FormatBool(q.Split),
			strconv.Itoa(q.Answered), strconv.Itoa(q.NotSure), strconv.FormatBool(q.Withheld)})
	}
	w.Flush()
	return buf.Bytes()
}
