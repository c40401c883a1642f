package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/builtin"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/prompt"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// evalOptions are the flags of `ticketsum eval`.
type evalOptions struct {
	model, dataset, models, prompts, bars, htmlPath, cacheDir, judge, history string
	limit, concurrency                                                        int
	requireAll, asJSON, refresh, allowErrors, robustness                      bool
	modelsSet                                                                 bool
	maxBytes                                                                  int64
}

// newEvalCmd is `ticketsum eval` and its subcommand `eval history`.
func newEvalCmd(e *env) *cobra.Command {
	var o evalOptions
	cmd := &cobra.Command{
		Use:     "eval --dataset FILE",
		GroupID: groupQuality,
		Short:   "Score models and prompt versions on a dataset",
		Long: `Summarise every ticket of a dataset with each model x prompt version, and score
the summaries: ROUGE against reference summaries, format compliance, personal
data leaks, status accuracy, hallucination checks, latency and cost per 8,000
tickets a week. The cheapest configuration that meets every quality bar is
named. Model answers are cached, so a run can be re-scored without new calls.
Each run is appended to the eval history (see "ticketsum eval history").

Models are called through the governed gateway as the eval principal
(ticketsum-eval, principals.eval in the config), the judge as the judge
principal (ticketsum-judge), so evaluation is never charged to production.
Without --bars the default bars apply (100% format, no personal data, no
toxicity, 90% status accuracy where the dataset has status labels). A
configuration some of whose tickets failed (an outage, a denial) is shown with
the reasons, never named cheapest. The run, with every summary, is kept in
the store, so that "ticketsum review tasks create --from-eval latest" can start
a blind comparison from it. A dataset ticket larger than max_ticket_bytes (1 MiB
by default; --max-ticket-bytes, TICKETSUM_MAX_TICKET_BYTES) is skipped with a
line naming those settings, as summarize refuses it.

Exit 1 when a configuration could not be evaluated (unless --allow-errors) or
no configuration meets every bar (with --require-all: when any misses one), so
eval can gate a CI job; exit 2 for an unknown model or prompt version. See
docs/evaluation.md.`,
		Example: `  # The built-in model on the bundled sample
  ticketsum eval --dataset sample/tickets.jsonl

  # Two Bedrock models with bars, an HTML report and an LLM judge
  ticketsum eval --dataset labelled.jsonl \
    --models bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0,bedrock:amazon.nova-lite-v1:0 \
    --bars "rougeL>=25,pii_leaks<=0,format_compliance>=100" --html report.html \
    --judge bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.modelsSet = cmd.Flags().Changed("models")
			offIfEmpty(cmd, "cache", &o.cacheDir)
			offIfEmpty(cmd, "history", &o.history)
			if err := o.check(); err != nil {
				return err
			}
			cfg, err := e.load(cmd, modelBind(&o.model),
				bind{"max-ticket-bytes", "max_ticket_bytes", func(c *Config) { c.MaxTicketBytes = o.maxBytes }})
			if err != nil {
				return err
			}
			return e.eval(cmd.Context(), cmd, cfg, o)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	modelFlag(f, &o.model)
	f.StringVar(&o.dataset, "dataset", "", "`FILE` of tickets with reference summaries (JSON or JSONL), or a dialog-format dataset (required)")
	f.StringVar(&o.models, "models", "", "comma-separated `MODELS` to compare (default --model, or model in the config)")
	f.StringVar(&o.prompts, "prompts", "", "comma-separated prompt `VERSIONS` for LLM models (default prompt.version in the config); embedded: "+strings.Join(prompt.Versions(), ", "))
	f.IntVar(&o.limit, "limit", 0, "evaluate only the first `N` tickets (default all)")
	f.Int64Var(&o.maxBytes, "max-ticket-bytes", 0, "largest dataset ticket accepted, in `BYTES`; a larger one is skipped (default max_ticket_bytes in the config, 1048576)")
	f.IntVar(&o.concurrency, "concurrency", 4, "summaries made at once; the gateway's rate limits apply underneath")
	f.StringVar(&o.bars, "bars", "", "quality `BARS`, such as \"rougeL>=22, pii_leaks<=0, format_compliance>=100\"; a miss exits 1")
	f.BoolVar(&o.requireAll, "require-all", false, "exit 1 when any configuration misses a bar (default: when none meets them all)")
	f.BoolVar(&o.asJSON, "json", false, "print the report as JSON")
	f.StringVar(&o.htmlPath, "html", "", "also write a self-contained HTML report to `FILE`")
	f.StringVar(&o.cacheDir, "cache", "", "`DIR` caching model answers, so a run can be re-scored without calls; \"off\" disables (default eval-cache in the data directory)")
	f.BoolVar(&o.refresh, "refresh", false, "ignore cached answers (new answers are still cached)")
	f.BoolVar(&o.allowErrors, "allow-errors", false, "exit 0 even when some tickets of a configuration failed (they are still reported)")
	f.BoolVar(&o.robustness, "robustness", false, "also summarise every ticket under five perturbations (typos, casing, reordered messages, noise) and report how much summaries change; the added calls and cost are printed before the run")
	f.StringVar(&o.judge, "judge", "", "`MODEL` used as LLM judge of faithfulness, completeness and tone (default none)")
	historyFlag(f, &o.history, "`FILE` the run is appended to (the run and its summaries are also kept in the store, for rating tasks); \"off\" keeps nothing")
	cmd.AddCommand(newEvalHistoryCmd(e))
	cmd.AddCommand(evalBedrockCmds(e)...) // cmd_eval_bedrock.go
	return cmd
}

// historyFlag registers --history, the eval history file.
func historyFlag(f *pflag.FlagSet, history *string, what string) {
	f.StringVar(history, "history", "", what+" (default eval-history.jsonl in the data directory)")
}

// check validates the flags of eval before any work.
func (o *evalOptions) check() error {
	switch {
	case o.dataset == "":
		return usagef("--dataset FILE is required")
	case o.limit < 0:
		return usagef("--limit: must not be negative, got %d", o.limit)
	case o.concurrency < 1 || o.concurrency > 1000:
		return usagef("--concurrency: must be between 1 and 1000, got %d", o.concurrency)
	case o.modelsSet && len(splitList(o.models)) == 0:
		return usagef("--models: give at least one model, such as builtin or bedrock:amazon.nova-lite-v1:0")
	case o.prompts != "" && len(splitList(o.prompts)) == 0:
		return usagef("--prompts: give at least one prompt version; embedded: %s", strings.Join(prompt.Versions(), ", "))
	}
	if _, err := eval.ParseBars(o.bars); err != nil {
		msg := strings.TrimPrefix(ticketsum.ErrorMessage(err), "eval: ")
		return usagef("--bars: %s", strings.TrimPrefix(msg, "bar: "))
	}
	return nil
}

// eval runs an evaluation.
func (e *env) eval(ctx context.Context, cmd *cobra.Command, cfg Config, o evalOptions) error {
	barList, err := eval.ParseBars(o.bars)
	if err != nil {
		return err
	}
	ds, err := eval.LoadDatasetWith(o.dataset, eval.DatasetOptions{Limit: o.limit,
		Tickets: ticketfile.Options{MaxTicketBytes: int(cfg.MaxTicketBytes), LimitHint: ticketLimitHint(true)}})
	if err != nil {
		return err
	}
	for _, s := range ds.Skipped {
		fmt.Fprintf(e.stderr, "ticketsum eval: skipped: %s\n", s)
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	modelList := splitList(o.models)
	if len(modelList) == 0 {
		modelList = []string{cfg.Model}
	}
	rc, err := w.evalConfig(ctx, o, modelList, barList)
	if err != nil {
		return err
	}
	runner, err := eval.NewRunner(rc)
	if err != nil {
		return err
	}
	if rc.Robustness != nil {
		fmt.Fprintln(e.stderr, runner.PlanRobustness(ds).String())
	}
	rep, err := runner.Run(ctx, ds)
	if err != nil {
		return err
	}
	if o.asJSON {
		err = rep.WriteJSON(e.stdout)
	} else {
		err = rep.WriteTable(e.stdout)
	}
	if err != nil {
		return err
	}
	if o.htmlPath != "" {
		if err := writeFileWith(o.htmlPath, w.evalReportHTML(rep)); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %s\n", o.htmlPath)
	}
	settings := map[string]string{"models": strings.Join(modelList, ","), "prompts": o.prompts,
		"limit": strconv.Itoa(o.limit), "bars": o.bars, "judge": o.judge}
	if err := w.keepEvalRun(ctx, o, rep, ds, settings); err != nil {
		return err
	}
	if code := rep.ExitCode(o.requireAll); code != 0 {
		if !rep.AllowErrors && len(rep.Unevaluated()) > 0 {
			return fmt.Errorf("some configurations could not be evaluated (pass --allow-errors to accept that): %w", errRuntimeReported)
		}
		return fmt.Errorf("quality bars missed: %w", errRuntimeReported)
	}
	return nil
}

// evalConfig builds the runner's configuration from the flags: the
// candidates calling as the eval principal (principals.eval), the judge as
// the judge principal (principals.judge), the cache and robustness.
func (w *wiring) evalConfig(ctx context.Context, o evalOptions, models []string, bars []eval.Bar) (eval.Config, error) {
	prompts := splitList(o.prompts)
	for _, v := range prompts {
		if _, err := w.template(v); err != nil {
			return eval.Config{}, usagef("--prompts: unknown prompt version %q; embedded: %s", v, strings.Join(prompt.Versions(), ", "))
		}
	}
	if err := w.requireListed(models...); err != nil {
		return eval.Config{}, err
	}
	cands, err := w.candidates(ctx, models, prompts)
	if err != nil {
		return eval.Config{}, err
	}
	rc := eval.Config{
		Candidates: cands, Concurrency: o.concurrency, Refresh: o.refresh, Bars: bars,
		PII: w.piiChecker(), Progress: w.env.evalProgress(), Logger: w.logger,
		AllowErrors: o.allowErrors, KeepItems: true,
	}
	if o.robustness {
		rc.Robustness = &eval.RobustnessConfig{}
	}
	cacheDir, err := w.dataFile(o.cacheDir, "eval-cache")
	if err != nil {
		return eval.Config{}, err
	}
	if cacheDir != "" {
		rc.Cache = eval.DirCache{Dir: cacheDir}
	}
	if o.judge != "" {
		if o.judge == "builtin" || !strings.Contains(o.judge, ":") {
			return eval.Config{}, usagef("--judge: want a model such as bedrock:amazon.nova-pro-v1:0, got %q", o.judge)
		}
		if err := w.requireListed(o.judge); err != nil {
			return eval.Config{}, err
		}
		// The judge acts as principals.judge, reconciled with the config.
		judge, err := w.principalFor(ctx, access.RoleJudge)
		if err != nil {
			return eval.Config{}, err
		}
		jm, err := w.modelFor(ctx, o.judge, access.RoleJudge)
		if err != nil {
			return eval.Config{}, err
		}
		rc.Judge = &eval.Judge{Model: jm, Principal: judge}
	}
	return rc, nil
}

// keepEvalRun keeps the run, with every configuration's summaries, in the
// store (for blind rating tasks and the review pages), and appends it to
// the eval history file.
func (w *wiring) keepEvalRun(ctx context.Context, o evalOptions, rep *eval.Report, ds *eval.Dataset, settings map[string]string) error {
	path, err := w.dataFile(o.history, "eval-history.jsonl")
	if err != nil || path == "" {
		return err // --history off: the run is not kept
	}
	b, err := w.openBackend(ctx, nil, nil)
	if err != nil {
		return err
	}
	svc, err := w.reviewService(ctx, b)
	if err != nil {
		return err
	}
	run, err := svc.SaveEvalRun(ctx, rep, ds, settings)
	if err != nil {
		return err
	}
	store, err := eval.NewJSONLStore(path)
	if err != nil {
		return err
	}
	if err := store.SaveRun(ctx, run); err != nil {
		return fmt.Errorf("save eval history: %w", err)
	}
	fmt.Fprintf(w.env.stderr, "kept eval run %s; rate its summaries blind: ticketsum review tasks create --from-eval %s\n", run.ID, run.ID)
	return nil
}

// candidates builds the models x prompt versions matrix.
func (w *wiring) candidates(ctx context.Context, models, prompts []string) ([]eval.Candidate, error) {
	var out []eval.Candidate
	for _, m := range models {
		if m == "builtin" {
			// The built-in model runs in the process: no model cost.
			free := func(*ticketsum.Ticket) float64 { return 0 }
			out = append(out, eval.Candidate{Model: m, PromptVersion: builtin.PromptVersion, EstimateUSD: free, New: func() (ticketsum.Summarizer, error) {
				return w.summarizerFor(ctx, m, "", access.RoleEval)
			}})
			continue
		}
		versions := prompts
		if len(versions) == 0 {
			tmpl, err := w.template(w.cfg.Prompt.Version)
			if err != nil {
				return nil, err
			}
			versions = []string{tmpl.Version()}
		}
		for _, v := range versions {
			// Build once now so that a bad model or prompt fails before the run.
			if _, err := w.summarizerFor(ctx, m, v, access.RoleEval); err != nil {
				return nil, err
			}
			out = append(out, eval.Candidate{Model: m, PromptVersion: v, EstimateUSD: w.estimateTicket(m),
				New: func() (ticketsum.Summarizer, error) {
					return w.summarizerFor(ctx, m, v, access.RoleEval)
				}})
		}
	}
	return out, nil
}

// estimateTicket returns an estimate of one ticket's summary cost with
// model (from the catalogue: the thread at about 4 characters a token plus
// the prompt, and a full answer), or nil when the model has no price.
func (w *wiring) estimateTicket(model string) func(*ticketsum.Ticket) float64 {
	cat, err := w.catalogue()
	if err != nil {
		return nil
	}
	if _, err := cat.Estimate(model, 1, 1); err != nil {
		return nil
	}
	maxOut := w.cfg.Models[model].MaxTokens
	if maxOut <= 0 {
		maxOut = 300
	}
	return func(t *ticketsum.Ticket) float64 {
		chars := 0
		for _, m := range t.Messages {
			chars += len(m.Body)
		}
		usd, _ := cat.Estimate(model, chars/4+estimatedPromptTokens, maxOut)
		return usd
	}
}

// estimatedPromptTokens is about the size of the embedded prompt's static
// part (tone guide and examples).
const estimatedPromptTokens = 700

// newEvalHistoryCmd is `ticketsum eval history`.
func newEvalHistoryCmd(e *env) *cobra.Command {
	var history string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past eval runs to track quality over time",
		Long: `List the eval runs appended to the history file, oldest first, with each
configuration's scores, so that a drop in quality (a new model version, a
prompt change, drifting tickets) shows. Exit 1 when the history file does not
exist.`,
		Example: `  ticketsum eval history
  ticketsum eval history --history ci/eval-history.jsonl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			path := cfg.dataPath(history, "eval-history.jsonl")
			if path == "" {
				return usagef("--history: want a file")
			}
			return e.evalHistory(cmd.Context(), path)
		},
	}
	usesGlobals(cmd, gConfig, gDataDir)
	historyFlag(cmd.Flags(), &history, "the history `FILE` eval appends to")
	return cmd
}

// evalHistory prints the runs of the history file at path.
func (e *env) evalHistory(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return ticketsum.Errorf(ticketsum.ENOTFOUND, "no history at %s (ticketsum eval appends a run to it)", path)
	}
	store, err := eval.NewJSONLStore(path)
	if err != nil {
		return err
	}
	runs, err := store.ListRuns(ctx)
	if err != nil {
		return err
	}
	return eval.WriteHistory(e.stdout, runs)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
