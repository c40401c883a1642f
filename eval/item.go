package eval

import (
	"context"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/prompt"
)

// Item is the result of one configuration on one ticket.
type Item struct {
	Config         string           `json:"config"`
	TicketID       string           `json:"ticket_id"`
	Summary        string           `json:"summary,omitempty"`
	Status         ticketsum.Status `json:"status,omitempty"`
	ExpectedStatus ticketsum.Status `json:"expected_status,omitempty"`
	// Model is the model that answered (a fallback's, when one did).
	Model string `json:"model,omitempty"`
	// Rouge is ROUGE-1/2/L F1 on 0-100 against the ticket's references;
	// nil when it has none.
	Rouge *Scores `json:"rouge,omitempty"`
	Words int     `json:"words"`
	// FormatOK is true when the summary breaks no format rule (one
	// paragraph, word limit, no preamble, English, valid status).
	FormatOK bool `json:"format_ok"`
	// Problems are the prompt.Problem codes the summary has.
	Problems []string `json:"problems,omitempty"`
	PIILeak  bool     `json:"pii_leak"`
	// Toxic lists what makes the summary toxic: "profanity" or "custom"
	// (the guard's word filters) and "category:phrase" of the lexicon.
	Toxic []string `json:"toxic,omitempty"`
	// Unsupported are entities of the summary not found in the ticket.
	Unsupported []string        `json:"unsupported,omitempty"`
	LatencyMS   float64         `json:"latency_ms"`
	Usage       ticketsum.Usage `json:"usage"`
	CostUSD     float64         `json:"cost_usd"`
	Cached      bool            `json:"cached,omitempty"`
	Flags       []string        `json:"flags,omitempty"`
	// Error and ErrorCode are set when no summary was made.
	Error     string `json:"error,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	// Judge holds the judge's scores; JudgeError says why it has none.
	Judge        *Judgement `json:"judge,omitempty"`
	JudgeError   string     `json:"judge_error,omitempty"`
	JudgeCostUSD float64    `json:"judge_cost_usd,omitempty"`
	// Artefacts are the failure classes of the summary (quality.go);
	// Facts its score against the ticket's labels, when it has some.
	Artefacts []string   `json:"artefacts,omitempty"`
	Facts     *FactCheck `json:"facts,omitempty"`
}

// IsToxic reports whether the offline checks or the judge found the
// summary toxic.
func (it *Item) IsToxic() bool {
	return len(it.Toxic) > 0 || it.Judge != nil && it.Judge.Toxic != nil && *it.Judge.Toxic
}

// score fills in the item's metrics from a summary.
func (r *Runner) score(ctx context.Context, it *Item, cs *CachedSummary, t *ticketsum.Ticket) {
	s := cs.Summary
	it.Summary, it.Status, it.Model = s.Text, s.Status, s.Model
	it.Usage, it.CostUSD, it.Flags = s.Usage, s.CostUSD, s.Flags
	it.LatencyMS = float64(cs.LatencyNS) / float64(time.Millisecond)
	it.Words = prompt.WordCount(s.Text)
	if len(t.References) > 0 {
		sc := Rouge(s.Text, t.References).Percent()
		it.Rouge = &sc
	}
	it.FormatOK = true
	for _, p := range r.checker.CheckAnswer(prompt.Answer{Text: s.Text, Status: s.Status}, t) {
		it.Problems = append(it.Problems, p.Code)
		if p.Code == prompt.ProblemPII {
			it.PIILeak = true
		} else {
			it.FormatOK = false
		}
	}
	it.Unsupported = Unsupported(s.Text, t)
	it.Toxic = r.toxicity(ctx, s.Text)
}
