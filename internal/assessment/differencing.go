package assessment

import "time"

// AnswererSet is who answered a published review, each person as a keyed
// hash of their user id: the record the differencing check compares a
// later review with. It names nobody.
type AnswererSet struct {
	ReviewID    string    `json:"review"`
	FrameworkID string    `json:"framework"`
	ScheduleID  string    `json:"schedule,omitempty"`
	Created     time.Time `json:"created"`   // the review's start (a schedule's run)
	Published   time.Time `json:"published"` // when its figures were first shown
	Hashes      []string  `json:"hashes"`
}

// Verdict is the differencing check's decision on a closed review, made
// once, before its figures are first shown. Against is empty when they may
// be shown; otherwise it is the earlier review whose answerers differ from
// this one's by Differ people, too few to hide them.
type Verdict struct {
	Against string `json:"against,omitempty"`
	Differ  int    `json:"differ,omitempty"`
}
