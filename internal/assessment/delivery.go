package assessment

import (
	"crypto/rand"
	"strconv"
	"strings"
	"time"
)

// MessageRef names a message in Slack: its conversation and timestamp.
type MessageRef struct {
	Channel string
	TS      string
}

// IsZero reports whether the ref names no message.
func (m MessageRef) IsZero() bool { return m.Channel == "" || m.TS == "" }

// DeliveryKind is how far a post that must happen once has come.
type DeliveryKind int

// Delivery kinds.
const (
	// NotSent: nothing is recorded; the post has not been tried.
	NotSent DeliveryKind = iota
	// Sending: a post began at Since and its outcome is unknown: a process
	// may have died inside the Slack call, so Slack may have it.
	Sending
	// Sent: the post is at Ref.
	Sent
	// Refused: Slack refused the post for good (Reason).
	Refused
)

// DeliveryState is what is recorded of a post that must happen exactly
// once: a respondent's intro DM, or a review's digest.
type DeliveryState struct {
	Kind   DeliveryKind
	Since  time.Time  // Sending
	Ref    MessageRef // Sent
	Reason string     // Refused
}

// Done reports whether nothing is left to do: sent, or refused for good.
func (d DeliveryState) Done() bool { return d.Kind == Sent || d.Kind == Refused }

// Job kinds.
const (
	JobIntro  = "intro"
	JobRemind = "remind"
	// JobActionNotify brings an action's thread message and DMs up to
	// date with its state (N: the action's version when queued).
	JobActionNotify = "actnotify"
	// JobActionRemind reminds an action's owner (N: ReminderKey's n).
	JobActionRemind = "actremind"
)

// Job is a piece of work due at a time: an intro DM or a reminder for one
// respondent of one review, or a message about one of its actions.
type Job struct {
	Kind   string // JobIntro, JobRemind, JobActionNotify, JobActionRemind
	Review string
	User   string
	N      int    // which reminder
	Action string // the action of an action job
	At     time.Time
}

// Key names the job: "kind|review|user|n", and "|action" after it for an
// action job. It is the name of the job's lease and its member in the
// store's queue, and ParseJobKey reads it back: the job codec has this one
// home.
func (j Job) Key() string {
	k := j.Kind + "|" + j.Review + "|" + j.User + "|" + strconv.Itoa(j.N)
	if j.Action != "" {
		k += "|" + j.Action
	}
	return k
}

// ParseJobKey reads a job back from its Key; its time (At) is not part of
// the key.
func ParseJobKey(key string) (Job, bool) {
	p := strings.Split(key, "|")
	if len(p) != 4 && len(p) != 5 {
		return Job{}, false
	}
	n, err := strconv.Atoi(p[3])
	if err != nil {
		return Job{}, false
	}
	j := Job{Kind: p[0], Review: p[1], User: p[2], N: n}
	// An action job, and only one, names its action.
	if actionJob := j.Kind == JobActionNotify || j.Kind == JobActionRemind; actionJob != (len(p) == 5) {
		return Job{}, false
	}
	if len(p) == 5 {
		if p[4] == "" {
			return Job{}, false
		}
		j.Action = p[4]
	}
	return j, true
}

// Occurrence is one run of a schedule waiting to become a review.
type Occurrence struct {
	Schedule string
	At       time.Time
}

// ReviewID is the id of the review an occurrence creates: derived from the
// occurrence, so creating it twice creates it once.
func (o Occurrence) ReviewID() string {
	return derivedID('r', o.Schedule+"|"+strconv.FormatInt(o.At.Unix(), 10))
}

// ReviewIDFor and ScheduleIDFor derive the id of what one request creates
// from a key of the request (a Slack envelope's id): handling the request
// again creates the same review or schedule, not a second one.
func ReviewIDFor(key string) string   { return derivedID('r', "req|"+key) }
func ScheduleIDFor(key string) string { return derivedID('s', "req|"+key) }

// derivedID is a 13-character id from a hash of key: never one of the
// 8-character random ids.
func derivedID(kind byte, key string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	h := fnv64(key)
	var b strings.Builder
	b.WriteByte(kind)
	for i := 0; i < 12; i++ {
		b.WriteByte(alphabet[h%36])
		h /= 36
	}
	return b.String()
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// ReminderState is what decides whether a respondent gets a reminder now.
type ReminderState struct {
	Submitted    bool
	OptedOut     bool
	SnoozedUntil time.Time
	LastReminded time.Time
}

// NewReviewID returns a short random review id such as "r4k9x2mq".
func NewReviewID() string { return "r" + randomID(7) }

// NewScheduleID returns a short random schedule id such as "s4k9x2mq".
func NewScheduleID() string { return "s" + randomID(7) }

func randomID(n int) string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(b)
}

// Progress counts a respondent's answered choice questions out of all of
// them (open questions are optional and not counted).
func (f *Framework) Progress(answers map[string]Answer) (answered, total int) {
	for _, s := range f.Sections {
		for _, q := range s.Questions {
			sc := f.Scales[q.Scale]
			if sc == nil || sc.Text {
				continue
			}
			total++
			if answers[q.ID].Option != "" {
				answered++
			}
		}
	}
	return answered, total
}

// NextSection returns the index of the first section with an unanswered
// choice question, or the last section when all are answered.
func (f *Framework) NextSection(answers map[string]Answer) int {
	for i, s := range f.Sections {
		for _, q := range s.Questions {
			if sc := f.Scales[q.Scale]; sc != nil && !sc.Text && answers[q.ID].Option == "" {
				return i
			}
		}
	}
	return len(f.Sections) - 1
}

// Person is what the directory says of a workspace member.
type Person struct {
	ID      string
	TZ      string // IANA zone, "" if unknown
	Bot     bool   // a bot, or Slackbot
	Deleted bool   // deactivated
	Guest   bool   // a single- or multi-channel guest
	// External: a Slack Connect member of another organisation (their
	// team is not the bot's, or Slack calls them a stranger). Like a
	// guest, never an admin, and a respondent only when named one by one.
	External bool
	// Status is what their Slack status says, read with the rest.
	Status SlackStatus
}

// Workspace is the Slack workspace the bot's tokens belong to (auth.test)
// and, on Enterprise Grid, its organisation.
type Workspace struct {
	Team       string // T…
	Enterprise string // E…, "" outside Enterprise Grid
}

// Admits reports whether something of team (and enterprise, "" when none
// is given) belongs to w: the same workspace or, on Enterprise Grid, any
// workspace of the same organisation (an org-wide install serves them
// all). An empty team and enterprise belong to nobody.
func (w Workspace) Admits(team, enterprise string) bool {
	if w.Enterprise != "" && enterprise == w.Enterprise {
		return true
	}
	return team != "" && team == w.Team && (enterprise == "" || enterprise == w.Enterprise)
}

// SlackStatus is a person's Slack status: its text, its emoji (":palm_tree:")
// and when it expires (zero: it does not).
type SlackStatus struct {
	Text    string
	Emoji   string
	Expires time.Time
}
