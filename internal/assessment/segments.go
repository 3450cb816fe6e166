package assessment

import "strings"

// Segment is a team whose figures a review's digest shows side by side
// with the others' (the heatmap): a user group or a channel, named when
// the review starts. Who is in it is frozen then (Membership) and kept
// apart from the review, to be dropped with the link between answers and
// people once the digest is out.
type Segment struct {
	// ID is the user group's (S…) or the channel's (C…, G…) id.
	ID string `json:"id"`
	// Name is its handle, without @ or #, for display.
	Name string `json:"name,omitempty"`
}

// IsChannel reports whether the segment is a channel's members.
func (s Segment) IsChannel() bool {
	return strings.HasPrefix(s.ID, "C") || strings.HasPrefix(s.ID, "G")
}

// MaxSegments is how many segments a review may name: the heatmap and
// its table stay readable, and the cell rules' partition stays small.
const MaxSegments = 8

// Membership is who was in each segment when a review started: segment
// id to user ids.
type Membership map[string][]string

// TooManySegments: a review names more segments than Max.
type TooManySegments struct{ Segments, Max int }

// Name is the reason's stable name.
func (TooManySegments) Name() string { return "too_many_segments" }
