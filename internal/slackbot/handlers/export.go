package handlers

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/answersheet"
	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/safecsv"
)

// results shows a review's digest to the asker only. While the review is
// open it shows the response counts alone: figures that move with each
// click would tell what each person answered.
func (h *Handlers) results(ctx context.Context, rq request) {
	res, err := h.svc.Results(ctx, rq.cmd.ReviewID, rq.sc.UserID)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpResults, err))
		return
	}
	if res.Digest == nil {
		h.reply(ctx, rq, present.ResultsPending(res))
		return
	}
	d, r := *res.Digest, res.Review
	blocks := present.Digest(d, r)
	if err := h.slack.EphemeralBlocks(ctx, rq.sc.ChannelID, rq.sc.UserID, present.DigestFallback(d), blocks); err != nil {
		_, _ = h.slack.Post(ctx, rq.sc.UserID, present.DigestFallback(d), blocks)
	}
}

// export sends the asker, in a DM, the CSV files of a closed review: the
// aggregates; the anonymised choices (respondents numbered in a fresh
// random order, the columns `assessbot score` reads, so the figures can be
// recomputed); and the open answers and comments in a file of their own,
// shuffled apart. Rows are withheld below the detail threshold.
func (h *Handlers) export(ctx context.Context, rq request) {
	ex, err := h.svc.Export(ctx, rq.cmd.ReviewID, rq.sc.UserID)
	if err != nil {
		h.reply(ctx, rq, h.tell(present.OpExport, err))
		return
	}
	r, f := ex.Review, ex.Framework
	ch := h.slack.DMChannel(ctx, rq.sc.UserID)
	if ch == "" {
		h.reply(ctx, rq, present.NoDM)
		return
	}
	if err := h.slack.Upload(ctx, ch, present.AggregatesFile(r, f, ex.Digest.Result.Threshold, ex.Detail), aggregatesCSV(ex.Digest)); err != nil {
		h.reply(ctx, rq, present.FileRefused(err))
		return
	}
	if len(ex.Actions) > 0 {
		if err := h.slack.Upload(ctx, ch, present.ActionsFile(r), actionsCSV(f, ex.Actions)); err != nil {
			h.reply(ctx, rq, present.FileRefused(err))
			return
		}
	}
	if len(ex.Digest.Segments) > 0 {
		if err := h.slack.Upload(ctx, ch, present.SegmentsFile(r), segmentsCSV(ex.Digest)); err != nil {
			h.reply(ctx, rq, present.FileRefused(err))
			return
		}
	}
	if ex.Responses == nil && ex.Digest.Withholds(digest.FigAll) {
		h.reply(ctx, rq, present.ExportedWithoutFigures(present.WithheldNote(ex.Digest)))
		return
	}
	if ex.Responses == nil {
		h.reply(ctx, rq, present.ExportedAggregates(ex.Answered, ex.Detail))
		return
	}
	var buf bytes.Buffer
	if err := answersheet.Write(&buf, f, ex.Responses); err != nil {
		h.reply(ctx, rq, h.tell(present.OpExport, err))
		return
	}
	if err := h.slack.Upload(ctx, ch, present.ResponsesFile(r, f, ex.Digest.Result.Threshold, ex.Detail), buf.Bytes()); err != nil {
		h.reply(ctx, rq, present.FileRefused(err))
		return
	}
	if len(ex.Texts) > 0 {
		if err := h.slack.Upload(ctx, ch, present.OpenAnswersFile(r), textsCSV(f, ex.Texts)); err != nil {
			h.reply(ctx, rq, present.FileRefused(err))
			return
		}
	}
	h.log.Info("review exported", "review", r.ID, "by", rq.sc.UserID, "rows", len(ex.Responses), "texts", len(ex.Texts))
	h.reply(ctx, rq, present.Exported(len(ex.Responses), len(ex.Texts)))
}

// textsCSV writes the open answers and comments, one a row; a spreadsheet
// opens every cell as text (safecsv).
func textsCSV(f *assessment.Framework, texts []review.Text) []byte {
	var buf bytes.Buffer
	w := safecsv.NewWriter(&buf)
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

// aggregatesCSV writes one row per section and per question; the figures
// stay numbers, every other cell opens as text (safecsv).
func aggregatesCSV(d digest.Digest) []byte {
	var buf bytes.Buffer
	w := safecsv.NewWriter(&buf, 4, 5, 7, 8, 10) // score, divergence, answered, not_sure, agreement
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

// actionsCSV writes one row per improvement action; every cell opens as
// text (safecsv), what people typed above all.
func actionsCSV(f *assessment.Framework, actions []*assessment.Action) []byte {
	var buf bytes.Buffer
	w := safecsv.NewWriter(&buf)
	_ = w.Write([]string{"action", "review", "framework", "schedule", "section", "section_title", "what", "owner", "proposer", "due", "status", "created", "changed", "questions"})
	for _, a := range actions {
		title := ""
		for _, s := range f.Sections {
			if s.ID == a.Section {
				title = s.Title
			}
		}
		_ = w.Write([]string{a.ID, a.Review, a.Framework, a.Schedule, a.Section, title, a.What, a.Owner, a.Proposer,
			a.Due.Format("2006-01-02"), string(a.Status), a.Created.UTC().Format(time.RFC3339), a.Changed.UTC().Format(time.RFC3339),
			strings.Join(a.Questions, " ")})
	}
	w.Flush()
	return buf.Bytes()
}
