package review

import (
	"context"
	"time"
)

// Store keeps tasks, ratings, the review queue, the regenerate limit, and
// evaluation runs with their outputs (EvalStore).
type Store interface {
	EvalStore

	// CreateTask stores t with its candidates; ECONFLICT if the id exists.
	CreateTask(ctx context.Context, t *Task) error
	// FindTask returns the task with id, or ENOTFOUND.
	FindTask(ctx context.Context, id string) (*Task, error)
	// ListTasks returns the tasks of source (every task when source is ""),
	// oldest first.
	ListTasks(ctx context.Context, source string) ([]*Task, error)
	// SaveRatings stores ratings in one transaction, replacing a rater's
	// earlier rating of the same (task, label). ENOTFOUND when a task does
	// not exist.
	SaveRatings(ctx context.Context, rs []*Rating) error
	// ListRatings returns the ratings of source's tasks (every rating when
	// source is ""), by task, label and rater.
	ListRatings(ctx context.Context, source string) ([]*Rating, error)

	// Enqueue adds q to the review queue unless its summary is there
	// already, and reports whether it added it.
	Enqueue(ctx context.Context, q *QueueItem) (bool, error)
	// FindQueueItem returns the item of a summary, or ENOTFOUND.
	FindQueueItem(ctx context.Context, summaryID int64) (*QueueItem, error)
	// ListQueue returns the items matching f, oldest first, and their total.
	ListQueue(ctx context.Context, f QueueFilter) ([]*QueueItem, int, error)
	// Decide records d on the item of a summary; ENOTFOUND if absent.
	Decide(ctx context.Context, summaryID int64, d Decision) error
	// ListReviewed returns the approved and edited items, oldest decision
	// first.
	ListReviewed(ctx context.Context) ([]*QueueItem, error)

	// TakeRegenerate atomically records a regeneration of ticketID at now
	// if the last one was at or before now-interval. It reports whether it
	// did and the time of the previous one (zero when there was none).
	TakeRegenerate(ctx context.Context, ticketID string, now time.Time, interval time.Duration) (ok bool, last time.Time, err error)
	// ReleaseRegenerate undoes TakeRegenerate(ticketID, now) when the
	// regeneration could not be requested, restoring the earlier time.
	ReleaseRegenerate(ctx context.Context, ticketID string, now, previous time.Time) error
}
