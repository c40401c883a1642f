package eval

import (
	"github.com/ticketsum/ticketsum"
)

// Candidate is one configuration of the evaluation matrix: a model with a
// prompt version, and the factory of the Summarizer that runs it.
type Candidate struct {
	// Name labels the configuration in reports, e.g. "haiku/default-v1".
	// Default Model + "/" + PromptVersion.
	Name string `json:"name"`
	// Model is the model's full name; it keys the response cache.
	Model string `json:"model"`
	// PromptVersion is the prompt template version; it keys the cache.
	PromptVersion string `json:"prompt_version"`
	// New builds the Summarizer, once per run. It must be safe for
	// concurrent use.
	New func() (ticketsum.Summarizer, error) `json:"-"`
	// EstimateUSD estimates the cost of summarising a ticket, for the cost
	// a robustness run announces before it runs. Default none: the cost
	// is reported as unknown.
	EstimateUSD func(t *ticketsum.Ticket) float64 `json:"-"`
}

func (c *Candidate) fill() {
	if c.Name == "" {
		c.Name = c.Model + "/" + c.PromptVersion
	}
}

func (c *Candidate) validate() error {
	switch {
	case c.Model == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "eval: candidate %q has no model name", c.Name)
	case c.PromptVersion == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "eval: candidate %q has no prompt version", c.Name)
	case c.New == nil:
		return ticketsum.Errorf(ticketsum.EINVALID, "eval: candidate %q has no Summarizer factory", c.Name)
	}
	return nil
}
