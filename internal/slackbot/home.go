package slackbot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
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
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Your reviews", maxHeader))}
	ids, err := b.st.UserReviews(ctx, user, 10)
	if err != nil {
		b.log.Warn("home: cannot list reviews", "err", err)
	}
	if len(ids) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("Nobody has asked you to take part in a review yet. When they do, it shows here and in a DM from me."), nil, nil))
	}
	for _, id := range ids {
		r, f, err := b.st.Review(ctx, id)
		if err != nil {
			continue
		}
		sh, err := b.st.Sheet(ctx, id, user)
		if err != nil {
			continue
		}
		answered, total := review.Progress(f, sh.Answers)
		line := fmt.Sprintf("*%s* · %d/%d answered", escape(f.Title), answered, total)
		var acc slack.BlockElement
		switch {
		case r.Status != assessment.StatusOpen:
			line += " · 🔒 closed"
		case sh.Submitted:
			line += " · ✅ submitted · you can change answers until " + slackDate(r.Deadline)
			acc = button(actStart, value(r.ID), "Review answers")
		default:
			line += " · due " + slackDate(r.Deadline)
			label := "Start"
			if answered > 0 {
				label = "Continue"
			}
			acc = button(actStart, value(r.ID), label).WithStyle(slack.StylePrimary)
		}
		var accessory *slack.Accessory
		if acc != nil {
			accessory = slack.NewAccessory(acc)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(line), nil, accessory, slack.SectionBlockOptionBlockID("home|"+r.ID)))
	}
	if b.isAdmin(ctx, user) {
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewHeaderBlock(plain("Recent reviews (admin)", maxHeader)))
		recent, _ := b.st.RecentReviews(ctx, 10)
		if len(recent) == 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn("No review yet. Start one with `/review`."), nil, nil))
		}
		for _, id := range recent {
			r, _, err := b.st.Review(ctx, id)
			if err != nil {
				continue
			}
			sub, _ := b.st.Submitted(ctx, id)
			state := "open until " + slackDate(r.Deadline)
			if r.Status != assessment.StatusOpen {
				state = "closed"
				if sum, _ := b.st.Summary(ctx, id); sum != "" {
					state += " · " + escape(sum)
				}
			}
			blocks = append(blocks, slack.NewContextBlock("recent|"+r.ID, mrkdwn(fmt.Sprintf("`%s` *%s* · %d/%d submitted · %s · digest <#%s>",
				r.ID, escape(r.Title), len(sub), len(r.Respondents), state, r.DigestChannel))))
		}
	}
	if b.isAdmin(ctx, user) {
		if up := b.upcomingText(ctx); up != "" {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(up), nil, nil))
		}
	}
	blocks = append(blocks, slack.NewContextBlock("help", mrkdwn("Type `/review help` to see what I can do.")))
	if len(blocks) > 100 {
		blocks = blocks[:100]
	}
	err = b.send.do(ctx, "views.publish", func(ctx context.Context) error {
		_, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user,
			View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}})
		return err
	})
	if err != nil {
		b.log.Warn("home: publish failed", "user", user, "err", err)
	}
}
