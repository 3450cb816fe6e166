package store

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// The store's own encodings, kept apart from the domain types so that a
// change of either is a change in one place.

// encodeRef stores a message ref as "channel/ts".
func encodeRef(m assessment.MessageRef) string { return m.Channel + "/" + m.TS }

func decodeRef(v string) (assessment.MessageRef, bool) {
	ch, ts, ok := strings.Cut(v, "/")
	if !ok || ch == "" || ts == "" {
		return assessment.MessageRef{}, false
	}
	return assessment.MessageRef{Channel: ch, TS: ts}, true
}

// encodeDelivery stores a delivery state as "sending:<unix>",
// "failed:<reason>" or the message's "channel/ts".
func encodeDelivery(d assessment.DeliveryState) string {
	switch d.Kind {
	case assessment.Sending:
		return "sending:" + strconv.FormatInt(d.Since.Unix(), 10)
	case assessment.Refused:
		return "failed:" + d.Reason
	case assessment.Sent:
		return encodeRef(d.Ref)
	}
	return ""
}

func decodeDelivery(v string) assessment.DeliveryState {
	// "posting:" is how digests were marked before the two states shared
	// one encoding.
	for _, p := range []string{"sending:", "posting:"} {
		if at, ok := strings.CutPrefix(v, p); ok {
			unix, _ := strconv.ParseInt(at, 10, 64)
			return assessment.DeliveryState{Kind: assessment.Sending, Since: time.Unix(unix, 0)}
		}
	}
	if reason, ok := strings.CutPrefix(v, "failed:"); ok {
		return assessment.DeliveryState{Kind: assessment.Refused, Reason: reason}
	}
	if ref, ok := decodeRef(v); ok {
		return assessment.DeliveryState{Kind: assessment.Sent, Ref: ref}
	}
	return assessment.DeliveryState{}
}

// An answer is stored as one hash field per question: the question id
// holding {"o":"<option>"} or {"t":"<text>"}, and "c:<question id>" holding
// the comment as it is.

// encodeAnswer returns the hash field and value of an answer (or, with
// comment, of its comment); an empty value means delete the field.
func encodeAnswer(questionID string, a assessment.Answer, comment bool) (field, value string) {
	if comment {
		return "c:" + questionID, a.Comment
	}
	if a.Option == "" && a.Text == "" {
		return questionID, ""
	}
	b, _ := json.Marshal(assessment.Answer{Option: a.Option, Text: a.Text})
	return questionID, string(b)
}

func decodeSheet(flat []any) map[string]assessment.Answer {
	out := map[string]assessment.Answer{}
	for i := 0; i+1 < len(flat); i += 2 {
		k, _ := flat[i].(string)
		v, _ := flat[i+1].(string)
		decodeField(out, k, v)
	}
	return out
}

// decodeField adds one stored hash field to a respondent's answers.
func decodeField(out map[string]assessment.Answer, k, v string) {
	if q, ok := strings.CutPrefix(k, "c:"); ok {
		a := out[q]
		a.Comment = v
		out[q] = a
		return
	}
	var a assessment.Answer
	if o, ok := optionOnly(v); ok {
		a.Option = o // the common case, without encoding/json
	} else if json.Unmarshal([]byte(v), &a) != nil {
		return
	}
	prev := out[k]
	prev.Option, prev.Text = a.Option, a.Text
	out[k] = prev
}

// optionOnly reads the stored form of an option answer, {"o":"<id>"}, where
// ids hold no characters JSON escapes.
func optionOnly(v string) (string, bool) {
	o, ok := strings.CutPrefix(v, `{"o":"`)
	if !ok {
		return "", false
	}
	o, ok = strings.CutSuffix(o, `"}`)
	if !ok || strings.ContainsAny(o, `"\\`) {
		return "", false
	}
	return o, true
}

// jobMember is a job's member in the queue's sorted set: its Key (the
// codec lives with Job, in assessment); its score is the time it is due.
func jobMember(j assessment.Job) string { return j.Key() }

// parseJob reads a queue member back, due at score.
func parseJob(m string, score float64) (assessment.Job, bool) {
	j, ok := assessment.ParseJobKey(m)
	if !ok {
		return assessment.Job{}, false
	}
	j.At = time.Unix(int64(score), 0)
	return j, true
}

// occurrenceMember is an occurrence's member in its queue: "schedule|unix".
func occurrenceMember(o assessment.Occurrence) string {
	return o.Schedule + "|" + strconv.FormatInt(o.At.Unix(), 10)
}

func parseOccurrence(m string) (assessment.Occurrence, bool) {
	id, at, ok := strings.Cut(m, "|")
	unix, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil {
		return assessment.Occurrence{}, false
	}
	return assessment.Occurrence{Schedule: id, At: time.Unix(unix, 0)}, true
}

// dbReview is a review's meta as stored (its status lives in a key of its
// own, flipped atomically).
type dbReview struct {
	ID            string               `json:"id"`
	FrameworkID   string               `json:"framework_id"`
	Title         string               `json:"title"`
	Respondents   []string             `json:"respondents"`
	Audience      string               `json:"audience,omitempty"`
	DigestChannel string               `json:"digest_channel"`
	CreatedBy     string               `json:"created_by"`
	CreatedAt     time.Time            `json:"created_at"`
	Deadline      time.Time            `json:"deadline"`
	Threshold     int                  `json:"threshold"`
	Status        assessment.Status    `json:"status"`
	ScheduleID    string               `json:"schedule_id,omitempty"`
	Reminders     []string             `json:"reminders"`
	DeliverNow    bool                 `json:"deliver_now,omitempty"`
	DistThreshold int                  `json:"dist_threshold,omitempty"`
	Grace         time.Duration        `json:"grace,omitempty"`
	Segments      []assessment.Segment `json:"segments,omitempty"`
}

// The domain types and their stored forms have the same fields; the
// conversions are checked by the compiler.
func toDBReview(r *assessment.Review) dbReview        { return dbReview(*r) }
func (d dbReview) toReview() assessment.Review        { return assessment.Review(d) }
func toDBSchedule(s *assessment.Schedule) dbSchedule  { return dbSchedule(*s) }
func (d dbSchedule) toSchedule() *assessment.Schedule { s := assessment.Schedule(d); return &s }

// dbSchedule is a schedule as stored.
type dbSchedule struct {
	ID            string               `json:"id"`
	Spec          string               `json:"spec"`
	TZ            string               `json:"tz"`
	FrameworkID   string               `json:"framework_id"`
	Users         []string             `json:"users,omitempty"`
	Usergroups    []string             `json:"usergroups,omitempty"`
	Channels      []string             `json:"channels,omitempty"`
	Audience      string               `json:"audience"`
	DigestChannel string               `json:"digest_channel"`
	Window        time.Duration        `json:"window"`
	Threshold     int                  `json:"threshold"`
	Reminders     []string             `json:"reminders,omitempty"`
	DeliverNow    bool                 `json:"deliver_now,omitempty"`
	Grace         time.Duration        `json:"grace,omitempty"`
	CreatedBy     string               `json:"created_by"`
	CreatedAt     time.Time            `json:"created_at"`
	Paused        bool                 `json:"paused,omitempty"`
	Orphaned      bool                 `json:"orphaned,omitempty"`
	Next          time.Time            `json:"next,omitzero"`
	Segments      []assessment.Segment `json:"segments,omitempty"`
}
