package app

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/assessbot/assessbot/internal/store"
)

// secrets are the configuration's values no log line may hold: both
// tokens and every password REDIS_URL carries (store.Secrets: the user
// info, password=, sentinel_password=, an addr='s user info…).
func (c Config) secrets() []string {
	var out []string
	for _, t := range []string{c.SlackBotToken, c.SlackAppToken} {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return append(out, store.Secrets(strings.TrimSpace(c.RedisURL))...)
}

// scrubAttr is a slog ReplaceAttr that takes secrets out of the message
// and every attribute (an error's or a value's text included), for every
// package that logs through Main.Log.
func scrubAttr(secrets []string) func([]string, slog.Attr) slog.Attr {
	if len(secrets) == 0 {
		return nil
	}
	scrub := func(s string) (string, bool) {
		changed := false
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				s, changed = strings.ReplaceAll(s, secret, "xxxxx"), true
			}
		}
		return s, changed
	}
	return func(_ []string, a slog.Attr) slog.Attr {
		v := a.Value.Resolve()
		var text string
		switch v.Kind() {
		case slog.KindString:
			text = v.String()
		case slog.KindAny:
			text = fmt.Sprint(v.Any())
		default:
			return a
		}
		if s, changed := scrub(text); changed {
			return slog.String(a.Key, s)
		}
		return a
	}
}
