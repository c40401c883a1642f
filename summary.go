package ticketsum

import (
	"context"
	"time"
)

// Status is a ticket's resolution status as a summary states it.
type Status string

// The statuses a summary can give.
const (
	StatusResolved         Status = "resolved"          // the issue is solved or the customer confirmed
	StatusAwaitingCustomer Status = "awaiting_customer" // the agent asked for something and waits
	StatusAwaitingSupport  Status = "awaiting_support"  // the customer waits for support
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	return s == StatusResolved || s == StatusAwaitingCustomer || s == StatusAwaitingSupport
}

// MaxSummaryWords is the longest summary, in words, a reviewer can read in
// ten seconds.
const MaxSummaryWords = 60

// Usage counts the tokens of one model call or of all calls behind a summary.
// InputTokens excludes cache reads and writes, which are counted apart
// because they are priced apart.
type Usage struct {
	InputTokens      int `json:"input_tokens"`
	OutputTokens     int `json:"output_tokens"`
	CacheReadTokens  int `json:"cache_read_tokens,omitempty"`
	CacheWriteTokens int `json:"cache_write_tokens,omitempty"`
	// Guardrail counts the Bedrock Guardrail text units the call was
	// charged for, per policy; zero without a guardrail. The cost package
	// prices them apart from the tokens.
	Guardrail GuardrailUnits `json:"guardrail,omitzero"`
}

// GuardrailUnits counts Bedrock Guardrail text units (a text unit is up to
// 1,000 characters of one text assessed) per policy, input and output
// together, as a guardrail trace reports them.
type GuardrailUnits struct {
	ContentFilters       int `json:"content_filters,omitempty"`
	DeniedTopics         int `json:"denied_topics,omitempty"`
	SensitiveInformation int `json:"sensitive_information,omitempty"`
	ContextualGrounding  int `json:"contextual_grounding,omitempty"`
	WordFilters          int `json:"word_filters,omitempty"`
}

// Add returns the sum of two counts.
func (g GuardrailUnits) Add(h GuardrailUnits) GuardrailUnits {
	return GuardrailUnits{
		ContentFilters:       g.ContentFilters + h.ContentFilters,
		DeniedTopics:         g.DeniedTopics + h.DeniedTopics,
		SensitiveInformation: g.SensitiveInformation + h.SensitiveInformation,
		ContextualGrounding:  g.ContextualGrounding + h.ContextualGrounding,
		WordFilters:          g.WordFilters + h.WordFilters,
	}
}

// Add returns the sum of two usages.
func (u Usage) Add(v Usage) Usage {
	return Usage{
		InputTokens:      u.InputTokens + v.InputTokens,
		OutputTokens:     u.OutputTokens + v.OutputTokens,
		CacheReadTokens:  u.CacheReadTokens + v.CacheReadTokens,
		CacheWriteTokens: u.CacheWriteTokens + v.CacheWriteTokens,
		Guardrail:        u.Guardrail.Add(v.Guardrail),
	}
}

// Summary is one generated summary of a ticket thread. A summary is
// identified by (TicketID, ContentHash, Model, PromptVersion, Regeneration):
// generating it again for the same thread, model and prompt gives no new
// summary, unless a person asked for a regeneration.
type Summary struct {
	ID            int64         `json:"id,omitempty"`
	TicketID      string        `json:"ticket_id"`
	Text          string        `json:"summary"`
	Status        Status        `json:"status"`
	Model         string        `json:"model"`
	PromptVersion string        `json:"prompt_version"`
	ContentHash   string        `json:"content_hash"`
	Usage         Usage         `json:"usage"`
	CostUSD       float64       `json:"cost_usd"`
	Latency       time.Duration `json:"-"`
	CreatedAt     time.Time     `json:"created_at"`

	// RequestedModel is the model asked for when a fallback answered instead.
	RequestedModel string `json:"requested_model,omitempty"`
	// Principal is who asked for the summary.
	Principal string `json:"principal,omitempty"`
	// Regeneration is 0 for a summary made in the normal course, and n for
	// the n-th regeneration of the same thread a person asked for (the
	// Regenerate button), which makes a new summary even when the thread is
	// unchanged.
	Regeneration int `json:"regeneration,omitempty"`
	// Flags lists guardrail interventions on the input or output, such as
	// "input:NAME:ANONYMIZED" or "output:profanity", the rules the model's
	// answer still broke after its repair ("output:no_status"), and the
	// local fixes made to keep a paid answer (FlagStatusInferred,
	// FlagTruncated, FlagJoined).
	Flags []string `json:"flags,omitempty"`
	// StatusInferred is true when the model gave no valid status even after
	// its one repair, so Status was decided by the built-in summariser's
	// status classifier from the thread instead. Stores keep it as the flag
	// FlagStatusInferred in Flags.
	StatusInferred bool `json:"status_inferred,omitempty"`
	// Truncated is true when the text was over MaxSummaryWords after the
	// model's one repair (or from a summariser that does not repair) and was
	// cut at the last sentence boundary within the limit. Stores keep it as
	// the flag FlagTruncated in Flags.
	Truncated bool `json:"truncated,omitempty"`
}

// Flags that mark a summary whose answer was kept and fixed locally rather
// than thrown away (see Summary.StatusInferred and Summary.Truncated).
const (
	FlagStatusInferred = "status_inferred" // the status came from the built-in classifier
	FlagTruncated      = "truncated"       // the text was cut to MaxSummaryWords at a sentence boundary
	FlagJoined         = "joined"          // paragraphs or lines were joined into one paragraph
	FlagTrimmed        = "trimmed"         // a preamble ("Here is a summary:") or closing remark paragraph was taken off
)

// HasFlag reports whether s carries flag f.
func (s *Summary) HasFlag(f string) bool {
	for _, x := range s.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// Summarizer turns a ticket into a summary.
type Summarizer interface {
	// Summarize returns a new, unsaved summary of t. It returns EINVALID for
	// a ticket it cannot summarise, EFORBIDDEN when policy blocks it,
	// ETHROTTLED or EQUOTA when limits are hit and EUNAVAILABLE when the
	// model cannot be reached.
	Summarize(ctx context.Context, t *Ticket) (*Summary, error)
}

// KeyedSummarizer is a Summarizer that names, before it runs, the model
// and prompt version of its answers (an LLM), so that its paid answers can
// be recorded and found again.
type KeyedSummarizer interface {
	Summarizer
	ModelName() string
	PromptVersion() string
}

// KeepKeys returns wrapper, a Summarizer wrapping inner, as a
// KeyedSummarizer naming inner's model and prompt version when inner is
// one: a wrapper that hid them would turn off the recording and reuse of
// paid answers.
func KeepKeys(wrapper, inner Summarizer) Summarizer {
	if k, ok := inner.(KeyedSummarizer); ok {
		return keyedWrapper{Summarizer: wrapper, keys: k}
	}
	return wrapper
}

// keyedWrapper is a wrapper with the model and prompt version of the
// summarizer it wraps.
type keyedWrapper struct {
	Summarizer
	keys KeyedSummarizer
}

// ModelName is the wrapped summarizer's.
func (k keyedWrapper) ModelName() string { return k.keys.ModelName() }

// PromptVersion is the wrapped summarizer's.
func (k keyedWrapper) PromptVersion() string { return k.keys.PromptVersion() }
