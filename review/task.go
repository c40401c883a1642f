package review

import (
	"time"

	"github.com/ticketsum/ticketsum"
)

// Method is how a task's summaries are rated.
type Method string

// The rating methods, after Amazon Bedrock's human evaluation methods.
const (
	// Thumbs is thumbs up (score 1) or down (score 0) per summary.
	Thumbs Method = "thumbs"
	// Likert is a score from 1 (poor) to 5 (excellent) per summary.
	Likert Method = "likert"
	// Choice is choosing the better summary of a pair: chosen "A", "B" or
	// "tie".
	Choice Method = "choice"
)

// Valid reports whether m is one of the known methods.
func (m Method) Valid() bool { return m == Thumbs || m == Likert || m == Choice }

// Tie is the Chosen value of a choice rating that prefers neither summary.
const Tie = "tie"

// Candidate is one summary of a task, shown under Label. Config, Model,
// PromptVersion and SummaryID are the hidden mapping: they never reach a
// rating page and appear only in the Report.
type Candidate struct {
	Label         string `json:"label"`
	Text          string `json:"text"`
	Config        string `json:"config"`
	Model         string `json:"model"`
	PromptVersion string `json:"prompt_version"`
	// SummaryID is the production summary's id, 0 for eval outputs.
	SummaryID int64 `json:"summary_id,omitempty"`
}

// Task is one ticket's candidate summaries to rate blind, in the random
// order of their labels.
type Task struct {
	ID string `json:"id"`
	// Source groups tasks for a report, such as "eval:20261125T090000Z-ab12cd34"
	// or "history".
	Source     string      `json:"source"`
	TicketID   string      `json:"ticket_id"`
	Method     Method      `json:"method"`
	Candidates []Candidate `json:"candidates"`
	CreatedAt  time.Time   `json:"created_at"`
}

// Candidate returns the candidate with label, or nil.
func (t *Task) Candidate(label string) *Candidate {
	for i := range t.Candidates {
		if t.Candidates[i].Label == label {
			return &t.Candidates[i]
		}
	}
	return nil
}

// BlindTask is what a rater sees of a task: labels and texts only.
type BlindTask struct {
	ID         string           `json:"id"`
	TicketID   string           `json:"ticket_id"`
	Method     Method           `json:"method"`
	Candidates []BlindCandidate `json:"candidates"`
}

// BlindCandidate is a candidate without its configuration.
type BlindCandidate struct {
	Label string `json:"label"`
	Text  string `json:"text"`
}

// Blind returns the task as a rater may see it.
func (t *Task) Blind() BlindTask {
	b := BlindTask{ID: t.ID, TicketID: t.TicketID, Method: t.Method}
	for _, c := range t.Candidates {
		b.Candidates = append(b.Candidates, BlindCandidate{Label: c.Label, Text: c.Text})
	}
	return b
}

// Rating is one rater's judgement. For Thumbs and Likert it rates the
// candidate Label with Score; for Choice, Label is "" and Chosen is "A", "B"
// or "tie". A rater has one rating per (task, label); rating again replaces
// it.
type Rating struct {
	TaskID    string    `json:"task_id"`
	TicketID  string    `json:"ticket_id,omitempty"`
	Label     string    `json:"label,omitempty"`
	Rater     string    `json:"rater"`
	Method    Method    `json:"method"`
	Score     int       `json:"score,omitempty"`
	Chosen    string    `json:"chosen,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxRaterLength and MaxCommentLength bound a rating's free-text fields.
const (
	MaxRaterLength   = 100
	MaxCommentLength = 2000
)

// Check validates r against its task and fills in TicketID and Method. It
// returns an EINVALID error that says what is wrong.
func (r *Rating) Check(t *Task) error {
	switch {
	case r.Rater == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "rating has no rater name")
	case len(r.Rater) > MaxRaterLength:
		return ticketsum.Errorf(ticketsum.EINVALID, "rater name is longer than %d bytes", MaxRaterLength)
	case len(r.Comment) > MaxCommentLength:
		return ticketsum.Errorf(ticketsum.EINVALID, "comment is longer than %d bytes", MaxCommentLength)
	case r.Method != "" && r.Method != t.Method:
		return ticketsum.Errorf(ticketsum.EINVALID, "task %s is rated by %s, not %s", t.ID, t.Method, truncate(string(r.Method), 20))
	case r.TicketID != "" && r.TicketID != t.TicketID:
		return ticketsum.Errorf(ticketsum.EINVALID, "task %s is about ticket %s, not %s", t.ID, t.TicketID, truncate(r.TicketID, 60))
	}
	r.Method, r.TicketID = t.Method, t.TicketID
	switch t.Method {
	case Thumbs, Likert:
		if t.Candidate(r.Label) == nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "task %s has no summary labelled %q", t.ID, truncate(r.Label, 10))
		}
		if r.Chosen != "" {
			return ticketsum.Errorf(ticketsum.EINVALID, "a %s rating has no chosen summary", t.Method)
		}
		lo, hi := 0, 1
		if t.Method == Likert {
			lo, hi = 1, 5
		}
		if r.Score < lo || r.Score > hi {
			return ticketsum.Errorf(ticketsum.EINVALID, "a %s score is from %d to %d, not %d", t.Method, lo, hi, r.Score)
		}
	case Choice:
		if r.Label != "" {
			return ticketsum.Errorf(ticketsum.EINVALID, "a choice rating has no label; give the chosen summary")
		}
		if r.Chosen != Tie && t.Candidate(r.Chosen) == nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "chosen %q is not a summary of task %s (want A, B or tie)", truncate(r.Chosen, 10), t.ID)
		}
		if r.Score != 0 {
			return ticketsum.Errorf(ticketsum.EINVALID, "a choice rating has no score")
		}
	}
	return nil
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}
