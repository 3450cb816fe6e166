// Package blocktext renders Block Kit JSON as plain text, the way a person
// would read the message: headers, sections, context lines, buttons in
// brackets (the chosen one marked), images by their alt text. The demo
// prints with it and tests read messages through it.
package blocktext

import (
	"encoding/json"
	"regexp"
	"strings"
)

var (
	reDate    = regexp.MustCompile(`<!date\^\d+\^[^|>]*\|([^>]*)>`)
	reUser    = regexp.MustCompile(`<@([A-Z0-9]+)(\|[^>]*)?>`)
	reChannel = regexp.MustCompile(`<#([A-Z0-9]+)(\|([^>]*))?>`)
	reGroup   = regexp.MustCompile(`<!subteam\^([A-Z0-9]+)(\|([^>]*))?>`)
)

// Mrkdwn turns Slack mrkdwn into readable text, resolving mentions with
// names (id -> display name) where known.
func Mrkdwn(s string, names map[string]string) string {
	s = reDate.ReplaceAllString(s, "$1")
	s = reUser.ReplaceAllStringFunc(s, func(m string) string {
		id := reUser.FindStringSubmatch(m)[1]
		if n, ok := names[id]; ok {
			return "@" + n
		}
		return "@" + id
	})
	s = reChannel.ReplaceAllStringFunc(s, func(m string) string {
		sm := reChannel.FindStringSubmatch(m)
		if n, ok := names[sm[1]]; ok {
			return "#" + n
		}
		if sm[3] != "" {
			return "#" + sm[3]
		}
		return "#" + sm[1]
	})
	s = reGroup.ReplaceAllString(s, "@group-$1")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// Render renders a blocks array (JSON) as text.
func Render(blocks json.RawMessage, names map[string]string) string {
	var bs []map[string]any
	if err := json.Unmarshal(blocks, &bs); err != nil {
		return ""
	}
	var b strings.Builder
	for _, bl := range bs {
		switch bl["type"] {
		case "header":
			t := text(bl["text"])
			b.WriteString("━━ " + t + " ━━\n")
		case "section":
			b.WriteString(Mrkdwn(text(bl["text"]), names) + "\n")
			if acc, ok := bl["accessory"].(map[string]any); ok {
				b.WriteString(element(acc) + "\n")
			}
		case "context":
			var parts []string
			for _, e := range list(bl["elements"]) {
				parts = append(parts, Mrkdwn(text(e), names))
			}
			b.WriteString("  " + strings.Join(parts, " | ") + "\n")
		case "actions":
			var parts []string
			for _, e := range list(bl["elements"]) {
				if m, ok := e.(map[string]any); ok {
					parts = append(parts, element(m))
				}
			}
			b.WriteString("  " + strings.Join(parts, " ") + "\n")
		case "divider":
			b.WriteString("  ──────────\n")
		case "image":
			alt, _ := bl["alt_text"].(string)
			b.WriteString("  [image: " + alt + "]\n")
		case "input":
			b.WriteString(text(bl["label"]) + ": ____\n")
		}
	}
	return b.String()
}

func element(e map[string]any) string {
	switch e["type"] {
	case "button":
		t := text(e["text"])
		if e["style"] == "primary" {
			return "[*" + t + "*]"
		}
		return "[" + t + "]"
	case "radio_buttons", "static_select":
		var opts []string
		for _, o := range list(e["options"]) {
			om, _ := o.(map[string]any) // nil for a forged non-object option
			opts = append(opts, "( ) "+text(om["text"]))
		}
		return strings.Join(opts, "  ")
	}
	return "[" + asString(e["type"]) + "]"
}

func text(v any) string {
	if m, ok := v.(map[string]any); ok {
		return asString(m["text"])
	}
	return ""
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
