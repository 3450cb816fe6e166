package blocktext

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzRender(f *testing.F) {
	// The golden messages the bot renders.
	goldens, _ := filepath.Glob("../slackbot/testdata/*.golden.json")
	for _, name := range goldens {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		`[{"type":"header","text":{"type":"plain_text","text":"Title"}}]`,
		`[{"type":"section","text":{"type":"mrkdwn","text":"Hi <@U1|ada> in <#C1|cs> and <#C2> for <!subteam^S1|@cs>, due <!date^1767225600^{date}|1 Jan> &lt;b&gt; &amp;"},"accessory":{"type":"button","text":{"type":"plain_text","text":"Go"},"style":"primary"}}]`,
		`[{"type":"context","elements":[{"type":"mrkdwn","text":"a"},{"type":"image"},"x",null]}]`,
		`[{"type":"actions","elements":[{"type":"button","text":{"text":"Yes"}},{"type":"radio_buttons","options":[{"text":{"text":"Low"}},{"text":{"text":"High"}}]},{"type":"static_select","options":[1,"x",null,[]]},{"type":"overflow"},7]}]`,
		`[{"type":"section","accessory":{"type":"radio_buttons","options":[null]}}]`,
		`[{"type":"section","accessory":{"type":"static_select","options":{"a":1}}}]`,
		`[{"type":"divider"},{"type":"input","label":{"text":"Answer"}},{"type":"image"},{"type":7},null,{}]`,
		`[{"type":"section","text":{"text":"<@U1|a|b> <#C1|> <#C1||x> <!subteam^S1> <@U2"}}]`,
		`{"type":"header"}`,
		`[]`,
		`null`,
		`[1,2,3]`,
		`not json`,
		``,
	} {
		f.Add([]byte(s))
	}
	names := map[string]string{"U1": "ada", "C1": "cs-all", "U2": ""}
	f.Fuzz(func(t *testing.T, blocks []byte) {
		out := Render(blocks, names)
		if again := Render(blocks, names); again != out {
			t.Fatalf("Render is not deterministic: %q then %q", out, again)
		}
		var bs []map[string]any
		if json.Unmarshal(blocks, &bs) != nil {
			if out != "" {
				t.Fatalf("Render of JSON that is not a list of blocks = %q, want empty", out)
			}
			return
		}
		// Every rendered block ends its line.
		if out != "" && !strings.HasSuffix(out, "\n") {
			t.Fatalf("Render = %q: no final newline", out)
		}
		if utf8.Valid(blocks) && !utf8.ValidString(out) {
			t.Fatalf("Render of valid UTF-8 gave invalid UTF-8: %q", out)
		}
		_ = Render(blocks, nil)
	})
}
