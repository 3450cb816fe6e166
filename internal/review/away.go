package review

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/assessbot/assessbot/internal/assessment"
)

// DefaultAwayWords are the words and emoji of a Slack status that say its
// person is away; AWAY_WORDS adds to them.
var DefaultAwayWords = []string{
	"holiday", "holidays", "vacation", "out of office", "ooo", "sick", "parental leave", "on leave", "pto",
	":palm_tree:", ":airplane:", ":face_with_thermometer:",
}

// AwayRule decides from a Slack status whether its person is away: a word
// or phrase of its list, whole words and case-insensitive, in the status
// text, or one of its emoji as the status emoji or in the text. It is the
// one place the rule lives; the Directory only reads the status.
type AwayRule struct {
	phrases [][]string
	emoji   map[string]bool
}

// NewAwayRule is the rule of DefaultAwayWords and extra (AWAY_WORDS): each
// a word, a phrase of words, or an emoji code such as ":beach_with_umbrella:".
func NewAwayRule(extra []string) AwayRule {
	a := AwayRule{emoji: map[string]bool{}}
	for _, w := range append(append([]string{}, DefaultAwayWords...), extra...) {
		codes, rest := splitEmoji(w)
		for _, c := range codes {
			a.emoji[c] = true
		}
		if words := tokens(rest); len(words) > 0 {
			a.phrases = append(a.phrases, words)
		}
	}
	return a
}

// AwayWordOK reports whether an AWAY_WORDS entry gives the rule something
// to match: a word or an emoji code.
func AwayWordOK(w string) bool {
	codes, rest := splitEmoji(w)
	return len(codes) > 0 || len(tokens(rest)) > 0
}

// Away reports whether a status says its person is away at now and, when
// the status expires, until when (zero: no end was given). A status past
// its expiration says nothing: Slack has cleared it.
func (a AwayRule) Away(st assessment.SlackStatus, now time.Time) (away bool, until time.Time) {
	if !st.Expires.IsZero() && !st.Expires.After(now) {
		return false, time.Time{}
	}
	codes, rest := splitEmoji(st.Text)
	emoji, _ := splitEmoji(st.Emoji)
	for _, c := range append(codes, emoji...) {
		if a.emoji[c] {
			return true, st.Expires
		}
	}
	words := tokens(rest)
	for _, p := range a.phrases {
		for i := 0; i+len(p) <= len(words); i++ {
			if equalWords(words[i:i+len(p)], p) {
				return true, st.Expires
			}
		}
	}
	return false, time.Time{}
}

var emojiCode = regexp.MustCompile(`:[a-z0-9_+'-]+:`)

// splitEmoji takes the emoji codes (":palm_tree:", lowercased) out of a
// text and returns them and what is left. A skin tone is an emoji of its
// own, so ":airplane::skin-tone-2:" holds ":airplane:".
func splitEmoji(s string) (codes []string, rest string) {
	s = strings.ToLower(s)
	codes = emojiCode.FindAllString(s, -1)
	return codes, emojiCode.ReplaceAllString(s, " ")
}

// tokens are the words of a lowercased text: runs of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
