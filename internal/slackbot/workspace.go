package slackbot

import (
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/assessbot/assessbot/internal/present"
)

// The workspace check: the bot serves the workspace its tokens belong to
// (auth.test) or, on Enterprise Grid, that workspace's organisation. Over
// Socket Mode, envelopes of other workspaces come from Slack Connect
// channels and org-wide installs; they are acked (so that Slack does not
// deliver them again) and dropped before any handler sees them.

// envelopeTeam is the workspace and organisation an envelope comes from:
// a slash command's team_id and enterprise_id, an interaction's team (the
// workspace it started in; the user's team_id when the payload names no
// team) and enterprise, an event's team_id and enterprise_id.
func envelopeTeam(data any) (team, enterprise string) {
	switch d := data.(type) {
	case slack.SlashCommand:
		return d.TeamID, d.EnterpriseID
	case slack.InteractionCallback:
		team, enterprise = d.Team.ID, d.Enterprise.ID
		if team == "" {
			team = d.User.TeamID
		}
		if enterprise == "" {
			enterprise = d.Team.EnterpriseID
		}
		return team, enterprise
	case slackevents.EventsAPIEvent:
		return d.TeamID, d.EnterpriseID
	}
	return "", ""
}

// foreign reports whether an envelope comes from another workspace than
// the bot's, and if so logs it (the type and the team, never the person)
// and counts it.
func (b *Bot) foreign(evt socketmode.Event) bool {
	ws := b.sl.Workspace()
	team, enterprise := envelopeTeam(evt.Data)
	if ws.Team == "" || ws.Admits(team, enterprise) {
		return false
	}
	b.m.foreign.WithLabelValues(string(evt.Type)).Inc()
	b.log.Warn("envelope from another workspace dropped", "type", evt.Type, "team", team, "enterprise", enterprise,
		"our_team", ws.Team, "our_enterprise", ws.Enterprise)
	return true
}

// foreignAck is the ack of an envelope from another workspace: a slash
// command is told, ephemerally, that the bot serves only its own.
func foreignAck(data any) any {
	if _, ok := data.(slack.SlashCommand); ok {
		return present.EphemeralAck(present.OtherWorkspace)
	}
	return nil
}
