package review

import (
	"context"
	"time"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Actions keeps the improvement actions planned from digests, each with
// its review (internal/store keeps them in the review's slot).
type Actions interface {
	// CreateAction stores a new action unless one with its id exists
	// (created is false then).
	CreateAction(ctx context.Context, a *assessment.Action) (created bool, err error)
	// Action reads one action at its current Version.
	Action(ctx context.Context, reviewID, id string) (*assessment.Action, error)
	// SaveAction writes a changed action over the Version it was read at;
	// saved is false when it changed since.
	SaveAction(ctx context.Context, a *assessment.Action) (saved bool, err error)
	ReviewActions(ctx context.Context, reviewID string) ([]*assessment.Action, error)
	// ListedActions are the newest n actions of an owner ("" for
	// everyone's).
	ListedActions(ctx context.Context, owner string, n int64) ([]*assessment.Action, error)
}

// ActionMessenger posts what the use cases decide to say about actions;
// errors as Messenger's.
type ActionMessenger interface {
	// PostAction posts an action's message in its digest's thread;
	// UpdateAction edits it in place.
	PostAction(ctx context.Context, thread assessment.MessageRef, v ActionView) (assessment.MessageRef, error)
	UpdateAction(ctx context.Context, ref assessment.MessageRef, v ActionView) error
	// FindAction looks in the thread for the action's message posted since
	// a time (a crash inside the post may have hidden it from the store).
	FindAction(ctx context.Context, thread assessment.MessageRef, actionID string, since time.Time) (assessment.MessageRef, bool)
	// ProposeAction asks the owner in a DM to accept or decline.
	ProposeAction(ctx context.Context, v ActionView) error
	// ActionDeclined gives a declined action back to its proposer.
	ActionDeclined(ctx context.Context, v ActionView) error
	// RemindAction reminds the owner (onTheDay: it is due today).
	RemindAction(ctx context.Context, v ActionView, onTheDay bool) error
}

// ActionView is an action with what its words need: its review and the
// frozen framework that names its section and questions.
type ActionView struct {
	Action    *assessment.Action
	Review    *assessment.Review
	Framework *assessment.Framework
}

// SectionTitle is the title of the action's section ("" if unknown).
func (v ActionView) SectionTitle() string {
	if v.Framework == nil {
		return ""
	}
	for _, s := range v.Framework.Sections {
		if s.ID == v.Action.Section {
			return s.Title
		}
	}
	return ""
}
