package slackbot

import "strings"

// maxActionValue bounds a button's value; anything longer is forged.
const maxActionValue = 400

// parseAction splits a block action the way handleAction does: kind is the
// action id up to the first "|", parts the value (a button's value, or the
// chosen option's value for a menu) split on "|" (review id first). ok is
// false for an empty value, an empty review id or a value longer than
// maxActionValue; the caller then refuses the click.
func parseAction(actionID, value string) (kind string, parts []string, ok bool) {
	kind, _, _ = strings.Cut(actionID, "|")
	parts = strings.Split(value, "|")
	ok = value != "" && parts[0] != "" && len(value) <= maxActionValue
	return kind, parts, ok
}
