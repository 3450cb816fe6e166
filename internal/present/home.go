package present

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/review"
	"github.com/assessbot/assessbot/internal/slackbot/codec"
)

// Home is a person's App Home: their reviews, open ones with progress and
// Continue, closed ones with where the digest went; admins also see the
// latest reviews with their response rates and the upcoming scheduled
// runs.
func Home(h review.Home) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Your reviews", MaxHeader))}
	if len(h.Reviews) == 0 {
		blocks = append(blocks, section("Nobody has asked you to take part in a review yet. When they do, it shows here and in a DM from me."))
	}
	for _, hr := range h.Reviews {
		blocks = append(blocks, homeReview(hr))
	}
	blocks = append(blocks, homeActions(h, h.Now)...)
	if h.Admin {
		blocks = append(blocks, homeAdmin(h)...)
	}
	blocks = append(blocks, slack.NewContextBlock("help", mrkdwn("Type `/review help` to see what I can do.")))
	if len(blocks) > MaxHomeBlocks {
		blocks = blocks[:MaxHomeBlocks]
	}
	return blocks
}

// homeReview is one of the person's reviews, with the button that takes
// them to it while it is open.
func homeReview(hr review.HomeReview) slack.Block {
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
		acc = button(codec.ActStart, codec.StartValue(r.ID), "Review answers")
	default:
		line += " · due " + slackDate(r.Deadline)
		label := "Start"
		if hr.Answered > 0 {
			label = "Continue"
		}
		acc = button(codec.ActStart, codec.StartValue(r.ID), label).WithStyle(slack.StylePrimary)
	}
	var accessory *slack.Accessory
	if acc != nil {
		accessory = slack.NewAccessory(acc)
	}
	return slack.NewSectionBlock(mrkdwn(line), nil, accessory, slack.SectionBlockOptionBlockID("home|"+r.ID))
}

// homeAdmin is the admin's part of the Home tab.
func homeAdmin(h review.Home) []slack.Block {
	blocks := []slack.Block{slack.NewDividerBlock(), slack.NewHeaderBlock(plain("Recent reviews (admin)", MaxHeader))}
	if len(h.Recent) == 0 {
		blocks = append(blocks, section("No review yet. Start one with `/review`."))
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
	if up := Upcoming(h.Upcoming); up != "" {
		blocks = append(blocks, section(up))
	}
	return blocks
}

// Upcoming lists the next run of each active schedule, soonest first; ""
// when there is none.
func Upcoming(all []*assessment.Schedule) string {
	var l []string
	for _, s := range all {
		line := fmt.Sprintf("• %s · `%s` *%s* for %s → <#%s>", slackDate(s.Next), s.ID, s.FrameworkID, s.Audience, s.DigestChannel)
		if s.Orphaned {
			line += " · " + orphanedState(s)
		}
		l = append(l, line)
	}
	if len(l) == 0 {
		return ""
	}
	return "*Upcoming runs*\n" + strings.Join(l, "\n")
}
