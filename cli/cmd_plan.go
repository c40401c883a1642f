package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/plan"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// PlanConfig holds the constraints `ticketsum plan` recommends under.
type PlanConfig struct {
	// DataInVPC requires that ticket text stays in the team's VPC.
	DataInVPC bool `yaml:"data_in_vpc"`
	// LatencyTargetHours is the longest acceptable time from a ticket change
	// to its summary (default 1).
	LatencyTargetHours float64 `yaml:"latency_target_hours"`
	// FineTuned requires a fine-tuned model.
	FineTuned bool `yaml:"fine_tuned"`
}

// planOptions are the flags of `ticketsum plan`.
type planOptions struct {
	wl                              plan.Workload
	pc                              PlanConfig
	models, from, history, htmlPath string
	asJSON, all                     bool
}

// newPlanCmd is `ticketsum plan`.
func newPlanCmd(e *env) *cobra.Command {
	var o planOptions
	cmd := &cobra.Command{
		Use:     "plan",
		GroupID: groupQuality,
		Short:   "Compare cost per model and deployment surface, and recommend one",
		Long: `Price the workload on every deployment surface: on-demand, with prompt caching,
batch inference, provisioned throughput and a SageMaker endpoint; check it
against the configured quotas, and recommend a model and surface under the
constraints (data in the VPC, latency target, fine-tuning).

The workload is measured from the store's tickets and recorded summaries, or
from a ticket file with --from, or given with --tickets-per-week,
--input-tokens and --output-tokens. The latest eval run is the evidence for the
recommendation: plan recommends the cheapest configuration that met every bar
in the latest eval run, naming the run, and prices the run's models and the
configured one (--all: every catalogue model). With no eval run it says to run
eval first. It lists the approved models beside the evaluated ones: an approved
model the latest run did not try says so, with the eval command that would; an
evaluated model nobody approved, with the approve command. See
docs/cost-and-planning.md.`,
		Example: `  # The seed's workload on Claude 3.5 Sonnet
  ticketsum plan --tickets-per-week 8000 --input-tokens 2000 --output-tokens 200 \
    --models bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0

  # Measured from a file, with a chart of weekly cost against volume
  ticketsum plan --from tickets.jsonl --html plan.html`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			offIfEmpty(cmd, "history", &o.history)
			if err := o.check(cmd); err != nil {
				return err
			}
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			mergePlanFlags(cmd, &o.pc, cfg.Plan)
			return e.plan(cmd.Context(), cfg, o)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.Float64Var(&o.wl.TicketsPerWeek, "tickets-per-week", 0, "`N` tickets a week, up to 100,000,000 (default: measured from --from or the store)")
	f.Float64Var(&o.wl.PeakHourTickets, "peak-hour", 0, "tickets in the busiest hour (default: measured, or the weekly volume spread over business hours)")
	f.Float64Var(&o.wl.InputTokens, "input-tokens", 0, "input tokens per ticket after rendering the prompt (default: measured)")
	f.Float64Var(&o.wl.OutputTokens, "output-tokens", 0, "output tokens per summary (default: measured from recorded summaries)")
	f.Float64Var(&o.wl.BackfillTickets, "backfill", 0, "tickets in a one-off backfill, priced with batch inference")
	f.StringVar(&o.models, "models", "", "comma-separated `MODELS` to price (default the models of the latest eval run and the configured model)")
	f.BoolVar(&o.all, "all", false, "price every catalogue model, not only the evaluated and configured ones")
	f.StringVar(&o.from, "from", "", "measure the workload from this ticket `FILE` instead of the store")
	historyFlag(f, &o.history, "eval history `FILE` used as evidence for the recommendation; \"off\" ignores it")
	jsonFlag(f, &o.asJSON)
	f.StringVar(&o.htmlPath, "html", "", "also write the plan as a self-contained HTML page with a chart of weekly cost against volume to `FILE`")
	f.BoolVar(&o.pc.DataInVPC, "data-in-vpc", false, "ticket text must stay in the VPC (default plan.data_in_vpc in the config)")
	f.Float64Var(&o.pc.LatencyTargetHours, "latency-hours", 0, "longest acceptable delay from ticket change to summary, in `HOURS` (default plan.latency_target_hours in the config, 1)")
	f.BoolVar(&o.pc.FineTuned, "fine-tuned", false, "a fine-tuned model is required (default plan.fine_tuned in the config)")
	return cmd
}

// planLimits bounds the workload flags: far beyond any support desk, and
// where the figures would stop meaning anything.
var planLimits = []struct {
	flag string
	max  float64
}{
	{"tickets-per-week", 1e8}, {"peak-hour", 1e8}, {"input-tokens", 1e7}, {"output-tokens", 1e6},
	{"backfill", 1e10}, {"latency-hours", 24 * 365},
}

// check validates the workload flags before any work.
func (o *planOptions) check(cmd *cobra.Command) error {
	for _, l := range planLimits {
		v, err := cmd.Flags().GetFloat64(l.flag)
		if err != nil {
			return err
		}
		if math.IsNaN(v) || v < 0 || v > l.max {
			return usagef("--%s: want a number from 0 to %s, got %v", l.flag, strconv.FormatFloat(l.max, 'f', -1, 64), v)
		}
	}
	if o.wl.PeakHourTickets > 0 && o.wl.TicketsPerWeek > 0 && o.wl.PeakHourTickets > o.wl.TicketsPerWeek {
		return usagef("--peak-hour: %v tickets in one hour is more than --tickets-per-week %v", o.wl.PeakHourTickets, o.wl.TicketsPerWeek)
	}
	return nil
}

// plan makes and prints the plan.
func (e *env) plan(ctx context.Context, cfg Config, o planOptions) error {
	wl := o.wl
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	if wl.TicketsPerWeek == 0 || wl.InputTokens == 0 || wl.OutputTokens == 0 {
		measured, err := w.measureWorkload(ctx, o.from)
		if err != nil {
			return err
		}
		fillWorkload(&wl, measured)
	} else {
		wl.Source = "given on the command line"
	}
	if wl.StaticPromptTokens == 0 {
		wl.StaticPromptTokens = w.staticPromptTokens()
	}
	cat, err := w.catalogue()
	if err != nil {
		return err
	}
	pc := o.pc
	ev, evaluated := evalEvidence(ctx, cfg.dataPath(o.history, "eval-history.jsonl"))
	approved, err := w.approvedModels(ctx)
	if err != nil {
		return err
	}
	pcfg := plan.Config{Catalogue: cat, Models: splitList(o.models), Quotas: map[string]plan.Quota{},
		Constraints: plan.Constraints{DataInVPC: pc.DataInVPC, LatencyTargetHours: pc.LatencyTargetHours, FineTuned: pc.FineTuned},
		Evidence:    ev, Approved: approved}
	shown := pcfg.Models
	if len(shown) == 0 && !o.all {
		shown = planModels(evaluated, cfg.Model)
	}
	for name, m := range cfg.Models {
		if m.RPM > 0 || m.TPM > 0 {
			pcfg.Quotas[name] = plan.Quota{RequestsPerMinute: m.RPM, TokensPerMinute: m.TPM}
		}
	}
	p, err := plan.Make(planWithModels(pcfg, shown), wl)
	if err != nil {
		return err
	}
	if err := writePlanHTML(e, o.htmlPath, pcfg, p); err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	return plan.Render(e.stdout, p)
}

// mergePlanFlags applies the config's constraints where no flag was given.
func mergePlanFlags(cmd *cobra.Command, pc *PlanConfig, fromConfig PlanConfig) {
	set := cmd.Flags().Changed
	if !set("data-in-vpc") {
		pc.DataInVPC = fromConfig.DataInVPC
	}
	if !set("latency-hours") {
		pc.LatencyTargetHours = fromConfig.LatencyTargetHours
	}
	if !set("fine-tuned") {
		pc.FineTuned = fromConfig.FineTuned
	}
}

// fillWorkload fills the figures not given as flags from a measurement.
func fillWorkload(wl *plan.Workload, m plan.Workload) {
	if wl.TicketsPerWeek == 0 {
		wl.TicketsPerWeek = m.TicketsPerWeek
		if wl.PeakHourTickets == 0 {
			wl.PeakHourTickets = m.PeakHourTickets
		}
	}
	if wl.InputTokens == 0 {
		wl.InputTokens = m.InputTokens
	}
	if wl.OutputTokens == 0 {
		wl.OutputTokens = m.OutputTokens
	}
	wl.StaticPromptTokens = m.StaticPromptTokens
	wl.Source = m.Source
}

// measureWorkload measures tickets and recorded summaries: from a file, or
// from the store. Input tokens are counted on the prompt as rendered.
func (w *wiring) measureWorkload(ctx context.Context, from string) (plan.Workload, error) {
	tmpl, err := w.template(w.cfg.Prompt.Version)
	if err != nil {
		return plan.Workload{}, err
	}
	opts := plan.MeasureOptions{InputTokens: func(t *ticketsum.Ticket) int {
		req, err := tmpl.Render(t)
		if err != nil {
			return plan.EstimateInputTokens(t, 600)
		}
		return tmpl.EstimateRequest(req)
	}}
	var tickets []*ticketsum.Ticket
	var summaries []*ticketsum.Summary
	if from != "" {
		in, name, closeIn, err := openInput(w.env, from)
		if err != nil {
			return plan.Workload{}, err
		}
		defer closeIn()
		dec := ticketfile.NewDecoder(in, name, ticketfile.Options{MaxTicketBytes: int(w.cfg.MaxTicketBytes), LimitHint: ticketLimitHint(false)})
		for {
			t, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var p *ticketfile.Problem
			if errors.As(err, &p) {
				fmt.Fprintf(w.env.stderr, "ticketsum plan: skipped: %s\n", p.Error())
				continue
			}
			if err != nil {
				return plan.Workload{}, err
			}
			tickets = append(tickets, t)
		}
	} else {
		if !isPostgres(w.cfg.DB) {
			if _, err := os.Stat(w.cfg.DB); err != nil {
				// plan reads; it never creates a store.
				return plan.Measure(nil, nil, opts)
			}
		}
		b, err := w.openBackend(ctx, nil, nil)
		if err != nil {
			return plan.Workload{}, err
		}
		for offset := 0; ; {
			views, total, err := b.store.ListTickets(ctx, ticketsum.TicketFilter{Limit: 500, Offset: offset})
			if err != nil {
				return plan.Workload{}, err
			}
			for _, v := range views {
				tickets = append(tickets, v.Ticket)
				if v.Current != nil {
					summaries = append(summaries, v.Current)
				}
			}
			offset += len(views)
			if len(views) == 0 || offset >= total {
				break
			}
		}
	}
	return plan.Measure(tickets, summaries, opts)
}

// staticPromptTokens estimates the prompt's static part (instructions, tone
// guide, examples): the part a prompt cache can hold.
func (w *wiring) staticPromptTokens() float64 {
	tmpl, err := w.template(w.cfg.Prompt.Version)
	if err != nil {
		return 0
	}
	probe := &ticketsum.Ticket{ID: "probe", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "probe"}}}
	req, err := tmpl.Render(probe)
	if err != nil {
		return 0
	}
	return float64(tmpl.EstimateRequest(&ticketsum.ModelRequest{System: req.System}))
}

// evalEvidence reads the latest eval run, if any, as evidence for the
// recommendation, and returns the models it evaluated (not the built-in
// one).
func evalEvidence(ctx context.Context, path string) (plan.Evidence, []string) {
	if path == "" {
		return plan.Evidence{}, nil
	}
	if _, err := os.Stat(path); err != nil {
		return plan.Evidence{}, nil
	}
	store, err := eval.NewJSONLStore(path)
	if err != nil {
		return plan.Evidence{}, nil
	}
	runs, err := store.ListRuns(ctx)
	if err != nil || len(runs) == 0 {
		return plan.Evidence{}, nil
	}
	last := runs[len(runs)-1]
	ev := plan.Evidence{EvalRun: true, EvalRunID: last.ID, EvalMeetsBar: last.Cheapest != "" && len(last.Bars) > 0}
	ev.EvalSummary = fmt.Sprintf("eval run %s on %s (%s)", last.ID, last.Dataset.Name, plural(last.Dataset.Tickets, "ticket"))
	if last.Cheapest != "" {
		ev.EvalSummary += "; cheapest configuration meeting every bar: " + last.Cheapest
	}
	var models []string
	for _, c := range last.Configurations {
		if c.Name == last.Cheapest && last.Cheapest != "" {
			ev.Winner, ev.WinnerConfig = c.Model, c.Name
		}
		if c.Model != "builtin" && !slices.Contains(models, c.Model) {
			models = append(models, c.Model)
		}
	}
	ev.Evaluated = models
	return ev, models
}

// approvedModels returns the approved-model registry, which plan lists
// beside the evaluated models; none when there is no store yet (plan reads,
// it never creates one).
func (w *wiring) approvedModels(ctx context.Context) ([]string, error) {
	err := w.requireStore(ctx)
	switch {
	case ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	}
	gov, err := w.governance(ctx)
	if err != nil {
		return nil, err
	}
	list, err := gov.Access.Store().ListApprovedModels(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, m := range list {
		names[i] = m.Name
	}
	return names, nil
}

// planModels are the models plan prices by default: the evaluated ones
// and the configured one; none (every catalogue model) when there are
// neither.
func planModels(evaluated []string, configured string) []string {
	models := slices.Clone(evaluated)
	if configured != "" && configured != "builtin" && !slices.Contains(models, configured) {
		models = append(models, configured)
	}
	return models
}

// planWithModels returns cfg pricing models by default when the user
// named none: shown, not chosen.
func planWithModels(cfg plan.Config, models []string) plan.Config {
	if len(cfg.Models) == 0 && len(models) > 0 {
		cfg.Models, cfg.ModelsByDefault = models, true
	}
	return cfg
}
