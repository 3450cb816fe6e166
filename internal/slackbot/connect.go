package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Connecting to Slack: auth.test with the bot token, then Socket Mode's
// apps.connections.open with the app-level token. An answer from Slack such
// as missing_scope or invalid_auth will not change on retry, so the bot
// stops and says which token to fix and how; a network error at start stops
// it too, naming the URL; once it has started, network errors and Slack's
// own outages are retried with backoff (slack-go's), and logged.

// TokenError means Slack refused a token for good: retrying will not help.
// errors.Is(err, ErrInvalidAuth) holds for the codes that mean the token
// itself is not accepted (invalid_auth, not_authed, token_revoked,
// account_inactive).
type TokenError struct {
	Method string // auth.test or apps.connections.open
	Code   string // Slack's error, e.g. missing_scope
	// Needed and Provided are Slack's scope diagnostics, when it sent them.
	Needed, Provided string
}

// Is reports whether target is ErrInvalidAuth and the code says the token
// was not accepted.
func (e *TokenError) Is(target error) bool {
	return target == ErrInvalidAuth && authCodes[e.Code]
}

var authCodes = map[string]bool{"invalid_auth": true, "not_authed": true, "token_revoked": true, "account_inactive": true}

// Token names the variable holding the token method is called with.
func (e *TokenError) Token() string {
	if e.Method == "apps.connections.open" {
		return "SLACK_APP_TOKEN"
	}
	return "SLACK_BOT_TOKEN"
}

// Error names the token, the method, Slack's error and scopes, and the fix.
func (e *TokenError) Error() string {
	kind := "the bot token, xoxb-…"
	if e.Token() == "SLACK_APP_TOKEN" {
		kind = "the app-level token, xapp-…"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "slack refused %s (%s) at %s: %s", e.Token(), kind, e.Method, e.Code)
	if e.Needed != "" {
		fmt.Fprintf(&b, " (needed: %s", e.Needed)
		if e.Provided != "" {
			fmt.Fprintf(&b, "; the token has: %s", e.Provided)
		}
		b.WriteString(")")
	}
	return b.String() + "; " + e.Fix()
}

// Fix says what to do about it.
func (e *TokenError) Fix() string {
	name := e.Token()
	where := "OAuth & Permissions → Bot User OAuth Token (install or reinstall the app to get one)"
	if name == "SLACK_APP_TOKEN" {
		where = "Basic Information → App-Level Tokens → Generate Token and Scopes, with the scope connections:write"
	}
	switch e.Code {
	case "missing_scope":
		if name == "SLACK_APP_TOKEN" {
			return fmt.Sprintf("generate an app-level token with the scope %s (Basic Information → App-Level Tokens → Generate Token and Scopes) and put it in %s",
				orWord(e.Needed, "connections:write"), name)
		}
		return fmt.Sprintf("add the bot scope %s under OAuth & Permissions (or apply deploy/slack-app-manifest.yaml), reinstall the app and put the new xoxb-… token in %s",
			orWord(e.Needed, "it names"), name)
	case "not_allowed_token_type":
		if name == "SLACK_APP_TOKEN" {
			return "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token: " + where
		}
		return "SLACK_BOT_TOKEN must be the bot token (xoxb-…), not a user or app-level token: " + where
	case "invalid_auth", "not_authed":
		return fmt.Sprintf("Slack does not know this token: copy it again, whole, from %s, for this app and workspace", where)
	case "token_revoked":
		return "the token was revoked: make a new one in " + where
	case "account_inactive":
		return "the app was uninstalled or the workspace is inactive: reinstall the app and take the new token from " + where
	}
	return fmt.Sprintf("check %s: %s", name, where)
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// transientCodes are Slack errors that another try may fix.
var transientCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "ratelimited": true, "team_added_to_org": true,
}

// tokenRefusal returns the TokenError for an answer from Slack that retrying
// will not change, or nil.
func tokenRefusal(method string, err error) *TokenError {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || transientCodes[se.Err] {
		return nil
	}
	return &TokenError{Method: method, Code: se.Err, Needed: se.Needed, Provided: se.Provided}
}

// UnreachableError means Slack's Web API did not answer at all at start.
// It has no Unwrap on purpose: the sender retries network errors, and this
// one is reported at once instead (the process is restarted by whatever
// runs it, once the network is back).
type UnreachableError struct {
	URL   string // the Web API base, e.g. https://slack.com/api/
	Cause error
}

// Error names the URL, the cause and what to check.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach Slack at %s: %v; check the network, a proxy (HTTPS_PROXY) or SLACK_API_URL", e.URL, e.Cause)
}

// unreachable turns a failure to reach method's URL into an
// UnreachableError and leaves other errors alone.
func unreachable(ctx context.Context, method string, err error) error {
	var ue *url.Error
	if err == nil || ctx.Err() != nil || !errors.As(err, &ue) {
		return err
	}
	return &UnreachableError{URL: strings.TrimSuffix(ue.URL, method), Cause: ue.Err}
}

// startError words why method failed when the bot starts.
func startError(method string, err error) error {
	var ue *UnreachableError
	var sc slack.StatusCodeError
	switch te := tokenRefusal(method, err); {
	case te != nil:
		return te
	case errors.As(err, &ue):
		return err
	case errors.As(err, &sc) && sc.Code == http.StatusNotFound:
		return fmt.Errorf("slack %s answered %s: SLACK_API_URL is not Slack's Web API (unset it for https://slack.com/api/)", method, sc.Status)
	}
	return fmt.Errorf("slack %s: %w", method, err)
}

// connectionError handles a failed Socket Mode connection attempt: it
// returns the error to stop with when retrying cannot help, and otherwise
// logs the cause and when slack-go tries again.
func (b *Bot) connectionError(evt socketmode.Event) error {
	ce, ok := evt.Data.(*slack.ConnectionErrorEvent)
	if !ok || ce.ErrorObj == nil {
		b.log.Warn("socket mode connection failed; slack-go retries with backoff")
		return nil
	}
	if te := tokenRefusal("apps.connections.open", ce.ErrorObj); te != nil {
		return te
	}
	b.log.Warn("socket mode connection failed; retrying with backoff",
		"attempt", ce.Attempt, "retry_in", ce.Backoff, "err", ce.ErrorObj)
	return nil
}

// stopping logs why the bot stops when Slack refused a token, with the
// fields a log search needs, and returns err for Run to return.
func (b *Bot) stopping(err error) error {
	var te *TokenError
	if errors.As(err, &te) {
		b.log.Error("slack refused a token; stopping (retrying cannot help)", "token", te.Token(), "method", te.Method,
			"error", te.Code, "needed", te.Needed, "provided", te.Provided, "fix", te.Fix())
	}
	return err
}

// incomingError logs a failed read from the socket: a message that is not
// JSON is skipped and the connection kept; anything else ends the
// connection, and slack-go reconnects.
func (b *Bot) incomingError(evt socketmode.Event) {
	ie, _ := evt.Data.(*slack.IncomingEventError)
	var err error = errors.New("unknown")
	if ie != nil && ie.ErrorObj != nil {
		err = ie.ErrorObj
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		b.log.Warn("socket mode message skipped: not the JSON expected", "err", err)
		return
	}
	b.connected.Store(false)
	b.log.Warn("socket mode connection lost; reconnecting", "err", err)
}
