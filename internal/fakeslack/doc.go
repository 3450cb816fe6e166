// Package fakeslack is a Slack workspace double that speaks Slack's wire
// protocols, so that a bot can be tested end to end with the real slack-go
// clients pointed at it:
//
//	srv := fakeslack.New()
//	defer srv.Close()
//	api := slack.New(srv.BotToken(),
//		slack.OptionAppLevelToken(srv.AppToken()),
//		slack.OptionAPIURL(srv.APIURL()))
//	client := socketmode.New(api)
//
// One HTTP server on 127.0.0.1 serves
//
//   - the Web API under /api/ (auth.test, apps.connections.open, chat.*,
//     views.*, users.*, conversations.*, usergroups.*, the files upload v2
//     trio and files.delete), answering with Slack's JSON shapes and error
//     codes, validating Block Kit limits the way Slack does (an image block
//     naming a slack_file only once that file is uploaded, processed — see
//     SetFileProcessing — and an image), keeping message metadata, and
//     checking tokens;
//   - the upload URLs handed out by files.getUploadURLExternal;
//   - the response_url endpoints carried by slash commands and interactions;
//   - the Socket Mode websocket: hello, periodic pings, disconnect requests,
//     envelopes delivered round-robin over up to ten connections, acks read
//     back and envelopes redelivered with retry_attempt when not acked in time.
//
// The workspace (users, channels, user groups) is set up with AddUser,
// AddChannel and AddUsergroup. Tests act as people with SlashCommand, Click,
// ClickInView, SubmitView and friends, which build realistic payloads from
// what the bot actually posted, and inspect what a person would see with
// DMs, ChannelMessages, Ephemerals, Views and Home. Every Web API call is
// recorded (Calls) and faults can be injected (FailNext, SetRateLimit,
// Disconnect, DropSockets, SetPings).
//
// A Server is safe for concurrent use. Close stops it, closes all sockets and
// waits for its goroutines.
package fakeslack
