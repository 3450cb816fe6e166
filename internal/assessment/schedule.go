package assessment

import "time"

// Schedule starts a review of a framework for an audience at every run of a
// cron spec in a time zone.
type Schedule struct {
	ID            string        `json:"id"`
	Spec          string        `json:"spec"`
	TZ            string        `json:"tz"`
	FrameworkID   string        `json:"framework_id"`
	Users         []string      `json:"users,omitempty"`
	Usergroups    []string      `json:"usergroups,omitempty"`
	Channels      []string      `json:"channels,omitempty"`
	Audience      string        `json:"audience"`
	DigestChannel string        `json:"digest_channel"`
	Window        time.Duration `json:"window"`
	Threshold     int           `json:"threshold"`
	Reminders     []string      `json:"reminders,omitempty"` // "50%", "24h"; nil = the default
	DeliverNow    bool          `json:"deliver_now,omitempty"`
	CreatedBy     string        `json:"created_by"`
	CreatedAt     time.Time     `json:"created_at"`
	Paused        bool          `json:"paused,omitempty"`
	// Next is the next run (zero while paused).
	Next time.Time `json:"next,omitzero"`
}
