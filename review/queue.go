package review

import (
	"time"

	"github.com/ticketsum/ticketsum"
)

// State is where a queue item is in review.
type State string

// The queue states. Approved and Edited items feed the fine-tuning export.
const (
	Pending  State = "pending"
	Approved State = "approved" // thumbs up: the summary is good as it is
	Rejected State = "rejected" // thumbs down
	Edited   State = "edited"   // the reviewer wrote a better summary
)

// Valid reports whether s is one of the known states.
func (s State) Valid() bool {
	return s == Pending || s == Approved || s == Rejected || s == Edited
}

// QueueItem is a production summary waiting for, or given, a review.
type QueueItem struct {
	SummaryID     int64  `json:"summary_id"`
	TicketID      string `json:"ticket_id"`
	ContentHash   string `json:"content_hash"`
	Model         string `json:"model"`
	PromptVersion string `json:"prompt_version"`
	// Text is the summary as generated; Status the status it gave.
	Text   string           `json:"text"`
	Status ticketsum.Status `json:"status,omitempty"`
	// Subject is the ticket's subject, filled in when listing the queue
	// for people (not stored: it follows the ticket).
	Subject string `json:"subject,omitempty"`
	// Reason says how the item entered the queue: "sampled", "manual", or
	// "flagged: " and the summary's QualityFlags ("flagged: output:not_english").
	Reason    string    `json:"reason"`
	SampledAt time.Time `json:"sampled_at"`
	State     State     `json:"state"`
	Reviewer  string    `json:"reviewer,omitempty"`
	// EditedText is the reviewer's summary when State is Edited.
	EditedText string    `json:"edited_text,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
}

// Final returns the text a fine-tune should learn: the edit when there is
// one, else the generated summary.
func (q *QueueItem) Final() string {
	if q.State == Edited {
		return q.EditedText
	}
	return q.Text
}

// Decision is a reviewer's verdict on a queue item.
type Decision struct {
	State    State  `json:"state"`
	Reviewer string `json:"reviewer"`
	// EditedText is required when State is Edited.
	EditedText string    `json:"edited_text,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	At         time.Time `json:"-"`
}

// QueueFilter selects queue items. Zero fields select everything.
type QueueFilter struct {
	State  State
	Limit  int // default 50
	Offset int
}
