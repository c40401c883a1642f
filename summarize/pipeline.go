package summarize

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Guard guards one ticket's trip through the pipeline.
type Guard interface {
	// Begin is called before the ticket is summarised. The context it
	// returns is the one the summarizer runs with, so it can carry per-ticket
	// state to the gateway's guard (the ticket's known people, placeholders
	// numbered consistently across every call for the ticket).
	Begin(ctx context.Context, t *ticketsum.Ticket) context.Context
	// CheckSummary checks a finished summary for personal data and banned
	// words. It returns the text to keep (scrubbed when the policy allows
	// it), the guardrail flags to record, and EFORBIDDEN when the policy
	// blocks the text.
	CheckSummary(ctx context.Context, t *ticketsum.Ticket, text string) (string, []string, error)
}

// Config configures a Pipeline.
type Config struct {
	// Summarizer makes the summaries. Required.
	Summarizer ticketsum.Summarizer
	// Store loads tickets and keeps summaries; required for Process only.
	Store ticketsum.Store
	// Guard prepares each ticket's calls and checks the finished summary;
	// nil skips both.
	Guard Guard
	// Model is the model name the Summarizer answers as. When set, Process
	// skips a ticket whose current summary was made by this model (or as a
	// fallback for it) for the same thread, so redelivered work costs
	// nothing. Default "": always summarise.
	Model string
	// Principal is recorded on every summary (default "ticketsum-worker").
	Principal string
	// Answers records every paid answer Process gets, right after the
	// summariser returns it and before the guard, the output contract or
	// the save can fail, and Process reuses an answer recorded for the same
	// ticket, thread, model and prompt version instead of calling the model
	// again (a job re-run after a crash or a failed save). Default: Store,
	// when it is a ticketsum.AnswerStore and the Summarizer says which model
	// and prompt version it answers with (the LLM summariser does; the
	// built-in costs nothing and is not recorded).
	Answers ticketsum.AnswerStore
	// OnSaved is called after Process stores a new summary (not when the
	// same summary was already stored), e.g. to sample it for review.
	// Default none.
	OnSaved func(ctx context.Context, s *ticketsum.Summary)
	// Classifier decides the status of a summary that has none that is
	// valid. Default: the built-in summariser's classifier.
	Classifier StatusClassifier
	// Clock stamps summaries (default the system clock).
	Clock ticketsum.Clock
	// Logger receives one line per summary, never ticket text (default
	// discards).
	Logger *slog.Logger
}

func (c *Config) setDefaults() error {
	if c.Summarizer == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: no summarizer configured")
	}
	if c.Principal == "" {
		c.Principal = "ticketsum-worker"
	}
	if c.Clock == nil {
		c.Clock = ticketsum.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Classifier == nil {
		c.Classifier = newBuiltinClassifier()
	}
	if as, ok := c.Store.(ticketsum.AnswerStore); ok && c.Answers == nil {
		if _, paid := c.Summarizer.(ticketsum.KeyedSummarizer); paid {
			c.Answers = as
		}
	}
	return nil
}

// FlagReusedAnswer marks a summary made from an answer recorded by an
// earlier run instead of a new model call.
const FlagReusedAnswer = "answer_reused"

// Pipeline summarises one ticket at a time: validate, summarise, check the
// output's shape, guard it, and (for Process) save it idempotently.
type Pipeline struct {
	cfg Config
}

// New returns a pipeline, or EINVALID when cfg lacks a summarizer.
func New(cfg Config) (*Pipeline, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	return &Pipeline{cfg: cfg}, nil
}

// Summarize returns a checked, unsaved summary of t. The summarizer's
// answer is kept whenever a local fix makes it valid (see settle): joined
// into one paragraph, cut to ticketsum.MaxSummaryWords at a sentence
// boundary, its status inferred. It returns EINVALID (a bad ticket) for an
// invalid ticket only; the guard's and the summarizer's errors pass through
// with their codes and classes, and an answer with no text is a
// configuration-class error.
func (p *Pipeline) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if p.cfg.Guard != nil {
		ctx = p.cfg.Guard.Begin(ctx, t)
	}
	s, err := p.cfg.Summarizer.Summarize(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("summarize ticket %s: %w", t.ID, err)
	}
	return p.finish(ctx, t, s)
}

// finish guards a summarizer's answer, applies the output contract and
// fills in the summary's identity. ctx is the one the guard's Begin made.
func (p *Pipeline) finish(ctx context.Context, t *ticketsum.Ticket, s *ticketsum.Summary) (*ticketsum.Summary, error) {
	if p.cfg.Guard != nil {
		// Guard first: scrubbing placeholders into words ("{NAME_1}" into
		// "the customer") changes the word count the contract sees.
		text, flags, err := p.cfg.Guard.CheckSummary(ctx, t, s.Text)
		if err != nil {
			return nil, fmt.Errorf("guard summary of ticket %s: %w", t.ID, err)
		}
		s.Text = text
		s.Flags = append(s.Flags, flags...)
	}
	if err := settle(s, t, p.cfg.Classifier); err != nil {
		return nil, err
	}
	s.TicketID = t.ID
	s.ContentHash = t.ContentHash()
	if s.Principal == "" {
		s.Principal = p.cfg.Principal
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = p.cfg.Clock.Now().UTC()
	}
	return s, nil
}

// Process loads the ticket with id, summarises it and saves the summary. It
// is safe to run twice for the same thread: the store keeps one summary per
// (ticket, content hash, model, prompt version), and with Answers a paid
// answer is recorded before anything else can fail and reused by the next
// run instead of calling the model again.
func (p *Pipeline) Process(ctx context.Context, id string) error {
	return p.ProcessVersion(ctx, id, "")
}

// ProcessVersion is Process for the thread version a job was queued for:
// when the ticket's content hash is no longer contentHash, the thread has
// changed since and a newer job has it, so nothing is called and nil is
// returned. An empty contentHash processes whatever thread is current.
func (p *Pipeline) ProcessVersion(ctx context.Context, id, contentHash string) error {
	if p.cfg.Store == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: no store configured")
	}
	t, err := p.cfg.Store.FindTicket(ctx, id)
	if err != nil {
		return fmt.Errorf("load ticket %s: %w", id, err)
	}
	if contentHash != "" && t.ContentHash() != contentHash {
		p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "thread changed since the job was queued; left to the newer job", slog.String("ticket_id", id))
		return nil
	}
	if p.upToDate(ctx, t) {
		p.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "summary up to date", slog.String("ticket_id", id))
		return nil
	}
	s, err := p.summarizeRecorded(ctx, t)
	if err != nil {
		p.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "summary failed", slog.String("ticket_id", id),
			slog.String("code", string(ticketsum.ErrorCodeOf(err))), slog.String("class", string(ticketsum.ClassOf(err))),
			slog.String("reason", ticketsum.ErrorMessage(err)))
		return err
	}
	created, err := p.cfg.Store.SaveSummary(ctx, s)
	if err != nil {
		return fmt.Errorf("save summary of ticket %s: %w", id, err)
	}
	if created && p.cfg.OnSaved != nil {
		p.cfg.OnSaved(ctx, s)
	}
	p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "summary saved", slog.String("ticket_id", id),
		slog.String("model", s.Model), slog.String("status", string(s.Status)), slog.Bool("created", created),
		slog.Int("input_tokens", s.Usage.InputTokens), slog.Int("output_tokens", s.Usage.OutputTokens),
		slog.Float64("cost_usd", s.CostUSD), slog.Duration("latency", s.Latency))
	return nil
}

// ProcessRegeneration makes the n-th regeneration (n >= 1) a person asked
// for of the ticket's summary: a new summary of its latest thread even when
// the current one is of that thread, saved with Summary.Regeneration n. It
// reuses no recorded answer, which would give the same summary again.
// Saving is idempotent on n, so a job run twice adds one regeneration. It
// returns EINVALID for n < 1 and ENOTFOUND for an unknown ticket.
func (p *Pipeline) ProcessRegeneration(ctx context.Context, id string, n int) error {
	if p.cfg.Store == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: no store configured")
	}
	if n < 1 {
		return ticketsum.Errorf(ticketsum.EINVALID, "regeneration %d of ticket %s: want 1 or more", n, id)
	}
	t, err := p.cfg.Store.FindTicket(ctx, id)
	if err != nil {
		return fmt.Errorf("load ticket %s: %w", id, err)
	}
	s, err := p.Summarize(ctx, t)
	if err != nil {
		p.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "regeneration failed", slog.String("ticket_id", id), slog.Int("regeneration", n),
			slog.String("code", string(ticketsum.ErrorCodeOf(err))), slog.String("class", string(ticketsum.ClassOf(err))))
		return err
	}
	s.Regeneration = n
	created, err := p.cfg.Store.SaveSummary(ctx, s)
	if err != nil {
		return fmt.Errorf("save regeneration %d of ticket %s: %w", n, id, err)
	}
	if created && p.cfg.OnSaved != nil {
		p.cfg.OnSaved(ctx, s)
	}
	p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "summary regenerated", slog.String("ticket_id", id), slog.Int("regeneration", n),
		slog.String("model", s.Model), slog.Bool("created", created), slog.Float64("cost_usd", s.CostUSD))
	return nil
}

// summarizeRecorded is Summarize with the answer store: a recorded answer
// for t's key is reused, and a new one recorded before it is guarded and
// checked. A failure to record is logged, not returned: the answer is still
// used, so that it is not paid for again at once.
func (p *Pipeline) summarizeRecorded(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	ks, ok := p.cfg.Summarizer.(ticketsum.KeyedSummarizer)
	if p.cfg.Answers == nil || !ok {
		return p.Summarize(ctx, t)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if p.cfg.Guard != nil {
		ctx = p.cfg.Guard.Begin(ctx, t)
	}
	key := ticketsum.AnswerKey{TicketID: t.ID, ContentHash: t.ContentHash(), Model: ks.ModelName(), PromptVersion: ks.PromptVersion()}
	s, err := p.cfg.Answers.FindAnswer(ctx, key)
	switch {
	case err == nil:
		s.Flags = append(s.Flags, FlagReusedAnswer)
		p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "recorded answer reused; no model call", slog.String("ticket_id", t.ID), slog.String("model", key.Model))
	case ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND:
		return nil, fmt.Errorf("look up a recorded answer for ticket %s: %w", t.ID, err)
	default:
		if s, err = ks.Summarize(ctx, t); err != nil {
			return nil, fmt.Errorf("summarize ticket %s: %w", t.ID, err)
		}
		if err := p.cfg.Answers.SaveAnswer(ctx, s); err != nil {
			p.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "paid answer not recorded", slog.String("ticket_id", t.ID),
				slog.String("code", string(ticketsum.ErrorCodeOf(err))))
		}
	}
	return p.finish(ctx, t, s)
}

// Regenerate summarises the ticket again now, unless its current summary is
// already for its thread, the configured model and prompt (ECONFLICT: a new
// one would be the same summary).
func (p *Pipeline) Regenerate(ctx context.Context, id string) error {
	if p.cfg.Store == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: no store configured")
	}
	t, err := p.cfg.Store.FindTicket(ctx, id)
	if err != nil {
		return fmt.Errorf("load ticket %s: %w", id, err)
	}
	if p.upToDate(ctx, t) {
		return ticketsum.Errorf(ticketsum.ECONFLICT, "the summary of ticket %s is already current for its thread and model %s", id, p.cfg.Model)
	}
	return p.Process(ctx, id)
}

// upToDate reports whether t's current summary is for its thread and was
// made by (or in place of) the configured model.
func (p *Pipeline) upToDate(ctx context.Context, t *ticketsum.Ticket) bool {
	if p.cfg.Model == "" {
		return false
	}
	cur, err := p.cfg.Store.CurrentSummary(ctx, t.ID)
	if err != nil {
		return false // no summary yet, or the check failed: summarise
	}
	return cur.ContentHash == t.ContentHash() && (cur.Model == p.cfg.Model || cur.RequestedModel == p.cfg.Model)
}

// CheckShape checks the rules every summary follows: not empty, one
// paragraph, at most ticketsum.MaxSummaryWords words. It returns an EINVALID
// error saying which rule failed. Every summary the Pipeline returns passes
// it.
func CheckShape(text string) error {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return ticketsum.Errorf(ticketsum.EINVALID, "summary is empty")
	case strings.Contains(text, "\n\n") || strings.Contains(text, "\r\n\r\n"):
		return ticketsum.Errorf(ticketsum.EINVALID, "summary has more than one paragraph")
	}
	if n := len(strings.Fields(text)); n > ticketsum.MaxSummaryWords {
		return ticketsum.Errorf(ticketsum.EINVALID, "summary has %d words, more than %d", n, ticketsum.MaxSummaryWords)
	}
	return nil
}
