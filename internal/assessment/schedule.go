package assessment

import "time"

// Schedule starts a review of a framework for an audience at every run of a
// cron spec in a time zone.
type Schedule struct {
	ID            string
	Spec          string
	TZ            string
	FrameworkID   string
	Users         []string
	Usergroups    []string
	Channels      []string
	Audience      string
	DigestChannel string
	Window        time.Duration
	Threshold     int
	Reminders     []string // "50%", "24h"; nil = the default
	DeliverNow    bool
	Grace         time.Duration // 0 means DefaultGrace
	CreatedBy     string
	CreatedAt     time.Time
	Paused        bool
	// Orphaned is set when a run found CreatedBy no longer an admin: runs
	// are skipped until another admin takes the schedule over.
	Orphaned bool
	// Next is the next run (zero while paused).
	Next time.Time
	// Segments are the teams each run's heatmap compares; who is in each
	// is read again when a run starts.
	Segments []Segment
}
