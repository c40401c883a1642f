package builtin

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	goaway "github.com/TwiN/go-away"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/guard"
)

// ModelName is the model name the built-in summariser records on summaries.
const ModelName = "builtin"

// PromptVersion identifies the summariser's template and rules; it changes
// whenever the output for a given ticket can change.
const PromptVersion = "builtin-v3"

// Config configures the built-in summariser.
type Config struct {
	// MaxInputBytes caps the message text considered per ticket, so that
	// tickets of any size take bounded time and memory: when the thread is
	// longer, its first and last messages are kept, each cut to a quarter of
	// the cap. Default 64 KiB; at least 1 KiB.
	MaxInputBytes int
	// MaxWords caps the summary's length in words. Default and maximum
	// ticketsum.MaxSummaryWords (60); at least 20.
	MaxWords int
	// Clock stamps summaries and measures latency. Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives debug records (never ticket text). Default: discard.
	Logger *slog.Logger
	// Guard finds personal data in candidate sentences: a sentence in which
	// it finds any is passed over for the next best. Default:
	// guard.New(guard.Config{}).
	Guard *guard.Guard
}

// withDefaults fills in the zero fields of c and rejects bad values.
func (c Config) withDefaults() (Config, error) {
	if c.MaxInputBytes == 0 {
		c.MaxInputBytes = 64 << 10
	}
	if c.MaxWords == 0 {
		c.MaxWords = ticketsum.MaxSummaryWords
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Guard == nil {
		g, err := guard.New(guard.Config{})
		if err != nil {
			return c, fmt.Errorf("builtin: default guard: %w", err)
		}
		c.Guard = g
	}
	switch {
	case c.MaxInputBytes < 1<<10:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "builtin: MaxInputBytes is %d, want at least 1024", c.MaxInputBytes)
	case c.MaxWords < 20 || c.MaxWords > ticketsum.MaxSummaryWords:
		return c, ticketsum.Errorf(ticketsum.EINVALID, "builtin: MaxWords is %d, want 20 to %d", c.MaxWords, ticketsum.MaxSummaryWords)
	}
	return c, nil
}

// Summarizer is the built-in summariser. It is safe for concurrent use.
type Summarizer struct {
	cfg       Config
	profanity *goaway.ProfanityDetector
	// profanityASCII is the same detector without accent removal, which
	// builds a Unicode transformer on every call and cannot change text
	// that is plain ASCII.
	profanityASCII *goaway.ProfanityDetector
	lang           *languages
	phrases        *phraseSets
}

var _ ticketsum.Summarizer = (*Summarizer)(nil)

// New returns a built-in summariser, or an EINVALID error for a bad Config.
func New(cfg Config) (*Summarizer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	profanities := append(append([]string(nil), goaway.DefaultProfanities...), extraProfanities...)
	return &Summarizer{
		cfg:       cfg,
		profanity: goaway.NewProfanityDetector().WithCustomDictionary(profanities, goaway.DefaultFalsePositives, goaway.DefaultFalseNegatives),
		profanityASCII: goaway.NewProfanityDetector().WithCustomDictionary(profanities, goaway.DefaultFalsePositives, goaway.DefaultFalseNegatives).
			WithSanitizeAccents(false),
		lang:    newLanguages(),
		phrases: newPhraseSets(),
	}, nil
}

// extraProfanities are mild swear words the managed list leaves out but a
// knowledge-base summary should not carry.
var extraProfanities = []string{"damn", "crap", "wtf", "stfu", "ffs", "bloody"}

// Name returns the model name, "builtin".
func (s *Summarizer) Name() string { return ModelName }

// Summarize returns a summary of t: one paragraph of at most MaxWords words
// and the resolution status. It returns EINVALID for a ticket that fails
// Validate, and the context's error when ctx is done.
func (s *Summarizer) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "builtin: no ticket")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	start := s.cfg.Clock.Now()
	d := s.digest(t)
	text, flags := s.compose(d)
	now := s.cfg.Clock.Now()
	hash := t.ContentHash()
	s.cfg.Logger.Debug("builtin summary", "content_hash", hash[:12], "status", d.status, "words", wordCount(text))
	return &ticketsum.Summary{
		TicketID:      t.ID,
		Text:          text,
		Status:        d.status,
		Model:         ModelName,
		PromptVersion: PromptVersion,
		ContentHash:   hash,
		Usage:         ticketsum.Usage{InputTokens: estimateTokens(d.inputWords), OutputTokens: estimateTokens(wordCount(text))},
		CostUSD:       0,
		Latency:       now.Sub(start),
		CreatedAt:     now,
		Flags:         flags,
	}, nil
}

// estimateTokens estimates the tokens of a text from its words: about four
// tokens for every three English words, the usual ratio of BPE tokenisers.
// The built-in summariser calls no model, so this only makes its usage
// comparable with the models'.
func estimateTokens(words int) int { return (words*4 + 2) / 3 }
