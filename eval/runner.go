package eval

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/prompt"
)

// Config configures a Runner.
type Config struct {
	// Candidates are the configurations to compare (models x prompt
	// versions). Required; names must be unique.
	Candidates []Candidate
	// Concurrency is how many summaries are made at once, across all
	// candidates. Default 4. The gateway's rate limits apply underneath.
	Concurrency int
	// ThrottleRounds is how many more times an item whose call was
	// throttled (ETHROTTLED: the gateway's own retries spent) is tried,
	// each after a pause, before it counts as an error; the judge's calls
	// get the same. Default 3; -1 for none.
	ThrottleRounds int
	// ThrottlePause is the pause before the first of those rounds; each
	// later one waits twice as long as the one before. Default 5s, so an
	// item is given up on after 5+10+20 = 35 seconds of throttling, long
	// enough for a per-minute quota to refill in part.
	ThrottlePause time.Duration
	// Cache keeps summaries so that a run can be re-scored without calling
	// models. Default nil: no cache.
	Cache Cache
	// Refresh ignores cached summaries (new ones are still written).
	Refresh bool
	// PII finds personal data in summaries. Default prompt.DefaultPII; the
	// names and emails of each ticket's people are always checked too.
	PII prompt.PIIChecker
	// Judge scores each summary with a model. Default nil: no judge.
	Judge *Judge
	// Bars are the quality bars every configuration is checked against.
	// Default DefaultBars of the dataset.
	Bars []Bar
	// NoBars checks no bar (Bars nil means the default bars); the
	// recommendation is then the cheapest configuration without errors.
	NoBars bool
	// AllowErrors lets Report.ExitCode pass when configurations had failed
	// items; they are never recommended all the same. Default false.
	AllowErrors bool
	// Guard's word filters (profanity, custom words) score toxicity.
	// Default a guard with its default configuration.
	Guard *guard.Guard
	// Lexicon is the toxicity lexicon. Default DefaultLexicon().
	Lexicon *Lexicon
	// Robustness, when set, re-runs every ticket under perturbations.
	// Default nil: no robustness measurement.
	Robustness *RobustnessConfig
	// TicketsPerWeek scales cost per ticket to a weekly cost. Default 8000.
	TicketsPerWeek int
	// MaxWords is the summary word limit for format compliance. Default
	// ticketsum.MaxSummaryWords.
	MaxWords int
	// KeepItems keeps per-item results in the report. Default false: the
	// report holds per-configuration metrics and score distributions only.
	KeepItems bool
	// Progress is called after every item, from one goroutine at a time.
	// Default nil.
	Progress func(Progress)
	// Clock times the run. Default the system clock.
	Clock ticketsum.Clock
	// Logger gets one line per failed item (ids and codes only). Default
	// discards.
	Logger *slog.Logger
}

// Progress reports how far a run is.
type Progress struct {
	Done    int
	Total   int
	Cached  int
	Errors  int
	Elapsed time.Duration
	// Rate is items per second so far.
	Rate float64
	// ETA is the estimated time left at the current rate.
	ETA time.Duration
}

// String renders the progress as one line for a terminal progress bar.
func (p Progress) String() string {
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = p.Done * width / p.Total
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	return fmt.Sprintf("[%s] %d/%d  %.1f/s  ETA %s  cached %d  errors %d",
		bar, p.Done, p.Total, p.Rate, p.ETA.Round(time.Second), p.Cached, p.Errors)
}

// Runner runs a dataset through every candidate and scores the results.
type Runner struct {
	cfg      Config
	checker  *prompt.Template
	detector *Detector
}

// NewRunner checks cfg and returns a Runner. It returns EINVALID for no or
// badly named candidates, unknown bar metrics and out-of-range values.
func NewRunner(cfg Config) (*Runner, error) {
	if len(cfg.Candidates) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: no candidates to evaluate")
	}
	cands := make([]Candidate, len(cfg.Candidates))
	seen := map[string]bool{}
	for i, c := range cfg.Candidates {
		c.fill()
		if err := c.validate(); err != nil {
			return nil, err
		}
		if seen[c.Name] {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: two candidates are named %q", c.Name)
		}
		seen[c.Name] = true
		cands[i] = c
	}
	cfg.Candidates = cands
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	if cfg.Concurrency < 0 || cfg.Concurrency > 1024 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: Concurrency is %d, want 1 to 1024", cfg.Concurrency)
	}
	switch {
	case cfg.ThrottleRounds == 0:
		cfg.ThrottleRounds = 3
	case cfg.ThrottleRounds == -1:
		cfg.ThrottleRounds = 0
	case cfg.ThrottleRounds < 0 || cfg.ThrottleRounds > 10:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: ThrottleRounds is %d, want -1 (none) to 10", cfg.ThrottleRounds)
	}
	if cfg.ThrottlePause == 0 {
		cfg.ThrottlePause = 5 * time.Second
	}
	if cfg.ThrottlePause < 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: ThrottlePause is %s, want more than 0", cfg.ThrottlePause)
	}
	if cfg.TicketsPerWeek == 0 {
		cfg.TicketsPerWeek = 8000
	}
	if cfg.TicketsPerWeek < 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: TicketsPerWeek is %d, want 1 or more", cfg.TicketsPerWeek)
	}
	if cfg.Judge != nil && cfg.Judge.Model == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: the judge has no model")
	}
	for _, b := range cfg.Bars {
		if err := b.validate(); err != nil {
			return nil, err
		}
	}
	if cfg.PII == nil {
		cfg.PII = prompt.DefaultPII
	}
	if cfg.NoBars && len(cfg.Bars) > 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: NoBars with %d bars given", len(cfg.Bars))
	}
	if err := cfg.fillToxicity(); err != nil {
		return nil, err
	}
	if rc := cfg.Robustness; rc != nil {
		c := *rc
		if c.Perturbations == nil {
			c.Perturbations = Perturbations()
		}
		if c.Seed == 0 {
			c.Seed = 1
		}
		for _, p := range c.Perturbations {
			if p.Name == "" || p.Apply == nil {
				return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: a perturbation needs a name and a function")
			}
		}
		cfg.Robustness = &c
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	checker, err := prompt.New(prompt.Config{NoExamples: true, PII: cfg.PII, MaxWords: cfg.MaxWords})
	if err != nil {
		return nil, fmt.Errorf("eval: output checker: %w", err)
	}
	maxWords := cfg.MaxWords
	if maxWords == 0 {
		maxWords = ticketsum.MaxSummaryWords
	}
	return &Runner{cfg: cfg, checker: checker, detector: NewDetector(maxWords)}, nil
}

// job is one summary to make: candidate cand on ticket item, perturbed by
// perturbation pert (-1 for none).
type job struct {
	cand, item, pert int
}

// results holds a run's items: per candidate, per ticket; and per
// candidate, per perturbation, per ticket.
type results struct {
	base      [][]Item
	perturbed [][][]Item
}

// Run summarises every ticket of ds with every candidate, at most
// Concurrency at a time (with Config.Robustness, every perturbed ticket
// too), scores the results and checks the bars. A failed summary is an
// item with an error, not a failed run; Run returns an error only when a
// Summarizer cannot be built (its code passes through) or ctx ends
// (EUNAVAILABLE).
func (r *Runner) Run(ctx context.Context, ds *Dataset) (*Report, error) {
	if ds == nil || len(ds.Tickets) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "eval: empty dataset")
	}
	sums := make([]ticketsum.Summarizer, len(r.cfg.Candidates))
	for i, c := range r.cfg.Candidates {
		s, err := c.New()
		if err != nil {
			return nil, fmt.Errorf("eval: build summarizer %s: %w", c.Name, err)
		}
		sums[i] = s
	}
	var perturbed [][]*ticketsum.Ticket
	if r.cfg.Robustness != nil {
		perturbed = perturbedTickets(r.cfg.Robustness, ds)
	}
	res := results{base: make([][]Item, len(sums)), perturbed: make([][][]Item, len(sums))}
	for i := range sums {
		res.base[i] = make([]Item, len(ds.Tickets))
		res.perturbed[i] = make([][]Item, len(perturbed))
		for p := range perturbed {
			res.perturbed[i][p] = make([]Item, len(ds.Tickets))
		}
	}
	start := r.cfg.Clock.Now()
	done, total := r.runJobs(ctx, sums, ds, perturbed, &res, start)
	if err := ctx.Err(); err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "eval: run stopped after %d of %d items: %w", done, total, err)
	}
	for c := range res.perturbed {
		for p := range perturbed {
			for i, pt := range perturbed[p] {
				if pt == nil { // unchanged by the perturbation
					res.perturbed[c][p][i] = res.base[c][i]
				}
			}
		}
	}
	return r.buildReport(ds, &res, start), nil
}

// runJobs makes every summary on Concurrency goroutines and returns how
// many it made, of how many.
func (r *Runner) runJobs(ctx context.Context, sums []ticketsum.Summarizer, ds *Dataset, perturbed [][]*ticketsum.Ticket, res *results, start time.Time) (done, total int) {
	jobs := make(chan job)
	var (
		mu   sync.Mutex
		prog = Progress{Total: len(sums) * len(ds.Tickets)}
		wg   sync.WaitGroup
	)
	for _, tickets := range perturbed {
		for _, pt := range tickets {
			if pt != nil {
				prog.Total += len(sums)
			}
		}
	}
	for range min(r.cfg.Concurrency, prog.Total) {
		wg.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					continue // the run is stopping: drain without calling
				}
				t, dst := ds.Tickets[j.item], &res.base[j.cand][j.item]
				if j.pert >= 0 {
					t, dst = perturbed[j.pert][j.item], &res.perturbed[j.cand][j.pert][j.item]
				}
				it := r.runItem(ctx, r.cfg.Candidates[j.cand], sums[j.cand], t)
				r.checkQuality(&it, ds.Labels[t.ID])
				*dst = it
				mu.Lock()
				prog.Done++
				if it.Cached {
					prog.Cached++
				}
				if it.Error != "" {
					prog.Errors++
				}
				r.report(&prog, start)
				mu.Unlock()
			}
		})
	}
feed:
	// Interleave candidates so that every configuration progresses evenly;
	// perturbed tickets follow the unperturbed ones.
	for p := -1; p < len(perturbed); p++ {
		for i := range ds.Tickets {
			if p >= 0 && perturbed[p][i] == nil {
				continue
			}
			for c := range sums {
				select {
				case jobs <- job{cand: c, item: i, pert: p}:
				case <-ctx.Done():
					break feed
				}
			}
		}
	}
	close(jobs)
	wg.Wait()
	return prog.Done, prog.Total
}

func (r *Runner) report(p *Progress, start time.Time) {
	p.Elapsed = r.cfg.Clock.Now().Sub(start)
	if s := p.Elapsed.Seconds(); s > 0 {
		p.Rate = float64(p.Done) / s
		if p.Rate > 0 {
			p.ETA = time.Duration(float64(p.Total-p.Done) / p.Rate * float64(time.Second))
		}
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress(*p)
	}
}

// runItem makes (or loads) one summary and scores it.
func (r *Runner) runItem(ctx context.Context, c Candidate, s ticketsum.Summarizer, t *ticketsum.Ticket) Item {
	it := Item{Config: c.Name, TicketID: t.ID, ExpectedStatus: t.ExpectedStatus}
	key := CacheKey(c.Model, c.PromptVersion, t)
	var cs *CachedSummary
	if r.cfg.Cache != nil && !r.cfg.Refresh {
		if got, ok := r.cfg.Cache.Get(key); ok {
			cs, it.Cached = got, true
		}
	}
	if cs == nil {
		begin := r.cfg.Clock.Now()
		var sum *ticketsum.Summary
		err := r.untilNotThrottled(ctx, func() (err error) {
			begin = r.cfg.Clock.Now()
			sum, err = s.Summarize(ctx, t)
			return err
		}, slog.String("config", c.Name), slog.String("ticket_id", t.ID))
		if err != nil {
			it.ErrorCode = string(ticketsum.ErrorCodeOf(err))
			it.Error = ticketsum.ErrorMessage(err)
			r.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "eval item failed", slog.String("config", c.Name),
				slog.String("ticket_id", t.ID), slog.String("code", it.ErrorCode))
			return it
		}
		lat := sum.Latency
		if lat <= 0 {
			lat = r.cfg.Clock.Now().Sub(begin)
		}
		cs = &CachedSummary{Summary: *sum, LatencyNS: lat}
		if r.cfg.Cache != nil {
			if err := r.cfg.Cache.Put(key, cs); err != nil {
				r.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "eval cache write failed", slog.String("error", err.Error()))
			}
		}
	}
	r.score(ctx, &it, cs, t)
	if r.cfg.Judge != nil {
		var jd *Judgement
		err := r.untilNotThrottled(ctx, func() error {
			var resp *ticketsum.ModelResponse
			var err error
			jd, resp, err = r.cfg.Judge.Score(ctx, t, it.Summary)
			if resp != nil {
				it.JudgeCostUSD += resp.CostUSD
			}
			return err
		}, slog.String("config", c.Name), slog.String("ticket_id", t.ID), slog.Bool("judge", true))
		if err != nil {
			it.JudgeError = ticketsum.ErrorMessage(err)
		} else {
			it.Judge = jd
		}
	}
	return it
}

// untilNotThrottled calls call, and again after a pause each time it
// fails throttled, up to ThrottleRounds more times (the pause doubling from
// ThrottlePause) or until ctx ends, logging each pause with attrs. It
// returns call's last error.
func (r *Runner) untilNotThrottled(ctx context.Context, call func() error, attrs ...slog.Attr) error {
	pause := r.cfg.ThrottlePause
	for round := 0; ; round++ {
		err := call()
		if err == nil || round == r.cfg.ThrottleRounds || ticketsum.ErrorCodeOf(err) != ticketsum.ETHROTTLED {
			return err
		}
		r.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "eval call throttled; trying again after a pause",
			append(attrs, slog.Int("round", round+1), slog.Duration("pause", pause))...)
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
		pause *= 2
	}
}

// ProgressPrinter returns a Progress callback that redraws one line on w,
// such as a terminal's standard error, and ends it when the run is done:
//
//	[###############...............] 160/330  41.2/s  ETA 4s  cached 0  errors 0
func ProgressPrinter(w io.Writer) func(Progress) {
	return func(p Progress) {
		end := ""
		if p.Done == p.Total {
			end = "\n"
		}
		fmt.Fprintf(w, "\r%s%s", p, end)
	}
}
