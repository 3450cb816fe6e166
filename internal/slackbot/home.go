package slackbot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/assessbot/assessbot/internal/assessment"
)

// homeUser returns the user of an app_home_opened event on the Home tab.
func homeUser(ev slackevents.EventsAPIEvent) string {
	if e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && e.Tab == "home" {
		return e.User
	}
	return ""
}

// publishHome shows a person their reviews: open ones with progress and
// Continue, closed ones with where the digest went; admins also see the
// latest reviews with their response rates.
func (b *Bot) publishHome(ctx context.Context, user string) {
	h := b.svc.Home(ctx, user)
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Your reviews", maxHeader))}
	if len(h.Reviews) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("Nobody has asked you to take part in a review yet. When they do, it shows here and in a DM from me."), nil, nil))
	}
	for _, hr := range h.Reviews {
		r := hr.Review
		line := fmt.Sprintf("*%s* · %d/%d answered", escape(hr.Framework.Title), hr.Answered, hr.Total)
		var acc slack.BlockElement
		switch {
		case r.Status != assessment.StatusOpen:
			line += " · 🔒 closed"
		case hr.Submitted:
			until := r.Deadline
			if !hr.ClosesEarly.IsZero() {
				until = hr.ClosesEarly
			}
			line += " · ✅ submitted · you can change answers until " + slackDate(until)
			acc = button(actStart, startValue(r.ID), "Review answers")
		default:
			line += " · due " + slackDate(r.Deadline)
			label := "Start"
			if hr.Answered > 0 {
				label = "Continue"
			}
			acc = button(actStart, startValue(r.ID), label).WithStyle(slack.StylePrimary)
		}
		var accessory *slack.Accessory
		if acc != nil {
			accessory = slack.NewAccessory(acc)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(line), nil, accessory, slack.SectionBlockOptionBlockID("home|"+r.ID)))
	}
	if h.Admin {
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewHeaderBlock(plain("Recent reviews (admin)", maxHeader)))
		if len(h.Recent) == 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn("No review yet. Start one with `/review`."), nil, nil))
		}
		for _, ar := range h.Recent {
			r := ar.Review
			state := openState(r, ar.ClosesEarly)
			if r.Status != assessment.StatusOpen {
				if ar.Summary != "" {
					state += " · " + escape(ar.Summary)
				}
			}
			blocks = append(blocks, slack.NewContextBlock("recent|"+r.ID, mrkdwn(fmt.Sprintf("`%s` *%s* · %d/%d submitted · %s · digest <#%s>",
				r.ID, escape(r.Title), ar.Submitted, len(r.Respondents), state, r.DigestChannel))))
		}
		if up := upcomingLines(h.Upcoming); up != "" {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(up), nil, nil))
		}
	}
	blocks = append(blocks, slack.NewContextBlock("help", mrkdwn("Type `/review help` to see what I can do.")))
	if len(blocks) > 100 {
		blocks = blocks[:100]
	}
	err := b.send.do(ctx, "views.publish", func(ctx context.Context) error {
		_, err := b.sl.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user,
			View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}})
		return err
	})
	if err != nil {
		b.log.Warn("home: publish failed", "user", user, "err", err)
	}
}
