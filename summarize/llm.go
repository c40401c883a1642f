package summarize

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/prompt"
)

// UseCaseSummarize is the CallMeta use case of every call the LLM
// summariser makes.
const UseCaseSummarize = "summarize"

// FlagStructured marks a summary for which the model answered with
// structured output (ModelResponse.Structured) rather than text.
const FlagStructured = "structured"

// LLMConfig configures an LLM summariser.
type LLMConfig struct {
	// Model answers the prompts; in production the gateway wrapping a
	// provider. Required.
	Model ticketsum.Model
	// Prompt is the prompt template. Default prompt.Default() (embedded
	// default-v1 with the approved examples).
	Prompt *prompt.Template
	// ContextWindow is the model's context window in tokens, from the model
	// catalogue. Default 8192, a conservative window that every supported
	// model has.
	ContextWindow int
	// MaxOutputTokens caps each call's output. Default 300 (a 60-word
	// summary and its status line take about 100).
	MaxOutputTokens int
	// Temperature is the sampling temperature. Default nil: the model's own.
	Temperature *float64
	// NoRepair disables the one follow-up call that asks the model to fix an
	// answer that fails the output checks. Default false: repair once. An
	// answer whose only problem is a missing status is never repaired: the
	// status is inferred locally instead (see Classifier).
	NoRepair bool
	// Classifier decides the status when the model gives none that is valid
	// after its repair. Default: the built-in summariser's classifier.
	Classifier StatusClassifier
	// TextOnly never asks for structured output. Default false: every call
	// carries the prompt's Schema, which providers apply where the model
	// supports it (a forced tool choice on Bedrock Converse for Claude 3 and
	// later, Nova and Mistral Large; a JSON-schema response format on
	// OpenAI-compatible servers) and ignore elsewhere.
	TextOnly bool
	// Principal is recorded in every call's CallMeta and on the summary.
	// Default "".
	Principal string
	// Clock times the calls. Default the system clock.
	Clock ticketsum.Clock
	// Logger gets one debug line per call, never ticket or summary text.
	// Default discards.
	Logger *slog.Logger
}

func (c *LLMConfig) fill() error {
	if c.Model == nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: LLM needs a Model")
	}
	if c.Prompt == nil {
		c.Prompt = prompt.Default()
	}
	if c.ContextWindow == 0 {
		c.ContextWindow = 8192
	}
	if c.MaxOutputTokens == 0 {
		c.MaxOutputTokens = 300
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
	switch {
	case c.MaxOutputTokens < 16:
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: MaxOutputTokens is %d, want at least 16", c.MaxOutputTokens)
	case prompt.Budget(c.ContextWindow, c.MaxOutputTokens) < 512:
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: ContextWindow %d leaves too little room for input after %d output tokens; want a window of at least %d",
			c.ContextWindow, c.MaxOutputTokens, c.MaxOutputTokens+600)
	case c.Temperature != nil && (*c.Temperature < 0 || *c.Temperature > 2):
		return ticketsum.Errorf(ticketsum.EINVALID, "summarize: Temperature is %v, want 0 to 2", *c.Temperature)
	}
	return nil
}

// LLM summarises a ticket with a language model: it renders the prompt,
// calls the model (in chunks and a combining call when the ticket does not
// fit the context window), parses the status line, checks the answer and
// asks for one repair when it fails. It is safe for concurrent use.
type LLM struct {
	cfg    LLMConfig
	budget int
	schema *ticketsum.OutputSchema // nil with TextOnly
}

var _ ticketsum.Summarizer = (*LLM)(nil)

// NewLLM returns an LLM summariser, or EINVALID for a bad config.
func NewLLM(cfg LLMConfig) (*LLM, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	l := &LLM{cfg: cfg, budget: prompt.Budget(cfg.ContextWindow, cfg.MaxOutputTokens)}
	if !cfg.TextOnly {
		l.schema = cfg.Prompt.Schema()
	}
	return l, nil
}

// PromptVersion returns the version of the prompt the summariser uses.
func (l *LLM) PromptVersion() string { return l.cfg.Prompt.Version() }

// ModelName returns the name of the model asked for.
func (l *LLM) ModelName() string { return l.cfg.Model.Name() }

// Summarize returns a new, unsaved summary of t. A paid answer is kept:
// rules it still breaks after the one repair are recorded as flags
// "output:<problem>" (see the prompt.Problem codes) and fixed locally where
// they can be (a missing status is inferred, an overlong text cut: see
// ticketsum.FlagStatusInferred and FlagTruncated); when the repair call
// itself fails, the first answer is kept with the flag
// "repair_failed:<code>". Model errors of the first call pass through with
// their codes and classes; EINVALID is returned for an invalid ticket, and a
// configuration-class error for an answer with no text at all.
func (l *LLM) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	start := l.cfg.Clock.Now()
	run := &llmRun{l: l, t: t}
	req, err := l.cfg.Prompt.Render(t)
	if err != nil {
		return nil, fmt.Errorf("render prompt for ticket %s: %w", t.ID, err)
	}
	if l.cfg.Prompt.EstimateRequest(req) > l.budget {
		if req, err = run.reduceChunks(ctx); err != nil {
			return nil, err
		}
	}
	answer, err := run.call(ctx, req, "summary")
	if err != nil {
		return nil, err
	}
	parsed, problems := l.cfg.Prompt.Check(answer, t)
	if worthRepair(problems) && !l.cfg.NoRepair {
		if rp, left, err := run.repair(ctx, req, answer, problems); err != nil {
			// The first answer is paid for: keep it rather than fail.
			run.flags = append(run.flags, "repair_failed:"+string(ticketsum.ErrorCodeOf(err)))
			l.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "repair call failed; first answer kept", slog.String("ticket_id", t.ID),
				slog.String("code", string(ticketsum.ErrorCodeOf(err))))
		} else {
			parsed, problems = rp, left
		}
	}
	s := &ticketsum.Summary{
		TicketID:      t.ID,
		Text:          parsed.Text,
		Model:         run.model,
		PromptVersion: l.cfg.Prompt.Version(),
		ContentHash:   t.ContentHash(),
		Usage:         run.usage,
		CostUSD:       run.cost,
		Latency:       l.cfg.Clock.Now().Sub(start),
		CreatedAt:     l.cfg.Clock.Now().UTC(),
		Principal:     l.cfg.Principal,
		Flags:         run.flags,
	}
	if parsed.Status.Valid() {
		s.Status = parsed.Status
	}
	if requested := l.cfg.Model.Name(); s.Model != requested {
		s.RequestedModel = requested
	}
	for _, p := range problems {
		s.Flags = append(s.Flags, "output:"+p.Code)
	}
	if run.structured {
		s.Flags = append(s.Flags, FlagStructured)
	}
	if err := settle(s, t, l.cfg.Classifier); err != nil {
		return nil, err
	}
	return s, nil
}

// worthRepair reports whether an answer's problems call for the repair
// call: any problem but a missing status, which is inferred locally for
// free.
func worthRepair(problems []prompt.Problem) bool {
	for _, p := range problems {
		if p.Code != prompt.ProblemNoStatus {
			return true
		}
	}
	return false
}

// llmRun accumulates the calls behind one summary.
type llmRun struct {
	l     *LLM
	t     *ticketsum.Ticket
	calls int
	model string
	usage ticketsum.Usage
	cost  float64
	flags []string
	// structured is true once a model answered with structured output.
	structured bool
}

func (r *llmRun) call(ctx context.Context, req *ticketsum.ModelRequest, step string) (string, error) {
	req.MaxTokens = r.l.cfg.MaxOutputTokens
	req.Temperature = r.l.cfg.Temperature
	req.Output = r.l.schema
	req.Meta = ticketsum.CallMeta{
		Principal:   r.l.cfg.Principal,
		UseCase:     UseCaseSummarize,
		TicketID:    r.t.ID,
		ProductLine: r.t.ProductLine,
	}
	r.calls++
	resp, err := r.l.cfg.Model.Generate(ctx, req)
	if err != nil {
		return "", fmt.Errorf("summarize ticket %s (%s call %d) with %s: %w", r.t.ID, step, r.calls, r.l.cfg.Model.Name(), err)
	}
	r.usage = r.usage.Add(resp.Usage)
	r.cost += resp.CostUSD
	r.model = resp.Model
	if r.model == "" {
		r.model = r.l.cfg.Model.Name()
	}
	for _, f := range resp.Flags {
		// Each call of one summary (chunks, combine, the repair) sends
		// the same ticket through the same guard and returns its input
		// flags again: the summary lists each once.
		if !slices.Contains(r.flags, f) {
			r.flags = append(r.flags, f)
		}
	}
	r.structured = r.structured || resp.Structured
	r.l.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "model call", slog.String("ticket_id", r.t.ID), slog.String("step", step),
		slog.String("model", r.model), slog.Int("input_tokens", resp.Usage.InputTokens), slog.Int("output_tokens", resp.Usage.OutputTokens))
	return resp.Text, nil
}

// reduceChunks summarises a ticket too long for one call chunk by chunk,
// combines the partial summaries in as many rounds as the budget needs,
// and returns the final combining request.
func (r *llmRun) reduceChunks(ctx context.Context) (*ticketsum.ModelRequest, error) {
	p := r.l.cfg.Prompt
	chunks, err := p.Chunks(r.t, r.l.budget)
	if err != nil {
		return nil, fmt.Errorf("plan chunks of ticket %s: %w", r.t.ID, err)
	}
	r.flags = append(r.flags, fmt.Sprintf("chunked:%d", len(chunks)))
	partials := make([]string, 0, len(chunks))
	for _, c := range chunks {
		req, err := p.RenderChunk(r.t, c, len(chunks))
		if err != nil {
			return nil, err
		}
		text, err := r.call(ctx, req, fmt.Sprintf("chunk %d/%d", c.Part, len(chunks)))
		if err != nil {
			return nil, err
		}
		partials = append(partials, prompt.ParseAnswer(text).Text)
	}
	for round := 1; ; round++ {
		groups, err := p.GroupPartials(r.t, partials, r.l.budget)
		if err != nil {
			return nil, err
		}
		if len(groups) == 1 || round > 8 {
			return p.RenderCombine(r.t, partials)
		}
		next := make([]string, 0, len(groups))
		for i, g := range groups {
			req, err := p.RenderCombine(r.t, g)
			if err != nil {
				return nil, err
			}
			text, err := r.call(ctx, req, fmt.Sprintf("combine round %d group %d", round, i+1))
			if err != nil {
				return nil, err
			}
			next = append(next, prompt.ParseAnswer(text).Text)
		}
		partials = next
	}
}

// repair makes the one follow-up call and returns the repaired answer with
// the problems it still has. When the follow-up would not fit the budget it
// repairs from the draft alone, without the ticket.
func (r *llmRun) repair(ctx context.Context, req *ticketsum.ModelRequest, answer string, problems []prompt.Problem) (prompt.Answer, []prompt.Problem, error) {
	p := r.l.cfg.Prompt
	rreq, err := p.RenderRepair(req, answer, problems)
	if err != nil {
		return prompt.Answer{}, nil, err
	}
	if p.EstimateRequest(rreq) > r.l.budget {
		base, err := p.RenderCombine(r.t, []string{strings.TrimSpace(answer)})
		if err != nil {
			return prompt.Answer{}, nil, err
		}
		if rreq, err = p.RenderRepair(base, answer, problems); err != nil {
			return prompt.Answer{}, nil, err
		}
	}
	codes := make([]string, len(problems))
	for i, pr := range problems {
		codes[i] = pr.Code
	}
	r.flags = append(r.flags, "repaired:"+strings.Join(codes, "+"))
	text, err := r.call(ctx, rreq, "repair")
	if err != nil {
		return prompt.Answer{}, nil, err
	}
	parsed, left := p.Check(text, r.t)
	if orig := prompt.ParseAnswer(answer); !parsed.Status.Valid() && orig.Status.Valid() {
		// The repair fixed the text but dropped the status line: keep
		// the first answer's status.
		parsed.Status = orig.Status
		left = p.CheckAnswer(parsed, r.t)
	}
	return parsed, left, nil
}
