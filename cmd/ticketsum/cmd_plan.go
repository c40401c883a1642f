package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

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

// runPlan handles `ticketsum plan`: cost per model and deployment surface
// for the measured or given workload, and a recommendation.
func runPlan(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "plan", "")
	var cf commonFlags
	cf.register(fs)
	var wl plan.Workload
	fs.Float64Var(&wl.TicketsPerWeek, "tickets-per-week", 0, "tickets a week (default: measured from --from or the store)")
	fs.Float64Var(&wl.PeakHourTickets, "peak-hour", 0, "tickets in the busiest hour (default: measured, or the weekly volume spread over business hours)")
	fs.Float64Var(&wl.InputTokens, "input-tokens", 0, "input tokens per ticket after rendering the prompt (default: measured)")
	fs.Float64Var(&wl.OutputTokens, "output-tokens", 0, "output tokens per summary (default: measured from recorded summaries)")
	fs.Float64Var(&wl.BackfillTickets, "backfill", 0, "tickets in a one-off backfill, priced with batch inference")
	models := fs.String("models", "", "comma-separated models to price (default every catalogue model)")
	from := fs.String("from", "", "measure the workload from this ticket file instead of the store")
	history := fs.String("history", "eval-history.jsonl", "eval history used as evidence for the recommendation")
	asJSON := fs.Bool("json", false, "print JSON")
	htmlPath := fs.String("html", "", "also write the plan as a self-contained HTML page with a chart of weekly cost against volume")
	var pc PlanConfig
	fs.BoolVar(&pc.DataInVPC, "data-in-vpc", false, "ticket text must stay in the VPC")
	fs.Float64Var(&pc.LatencyTargetHours, "latency-hours", 0, "longest acceptable delay from ticket change to summary (default 1)")
	fs.BoolVar(&pc.FineTuned, "fine-tuned", false, "a fine-tuned model is required")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	mergePlanFlags(fs, &pc, cfg.Plan)
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	if wl.TicketsPerWeek == 0 || wl.InputTokens == 0 || wl.OutputTokens == 0 {
		measured, err := w.measureWorkload(ctx, *from)
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
	pcfg := plan.Config{Catalogue: cat, Models: splitList(*models), Quotas: map[string]plan.Quota{},
		Constraints: plan.Constraints{DataInVPC: pc.DataInVPC, LatencyTargetHours: pc.LatencyTargetHours, FineTuned: pc.FineTuned},
		Evidence:    evalEvidence(ctx, *history)}
	for name, m := range cfg.Models {
		if m.RPM > 0 || m.TPM > 0 {
			pcfg.Quotas[name] = plan.Quota{RequestsPerMinute: m.RPM, TokensPerMinute: m.TPM}
		}
	}
	p, err := plan.Make(pcfg, wl)
	if err != nil {
		return err
	}
	if err := writePlanHTML(e, *htmlPath, pcfg, p); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	return plan.Render(e.stdout, p)
}

// mergePlanFlags applies the config's constraints where no flag was given.
func mergePlanFlags(fs *flag.FlagSet, pc *PlanConfig, fromConfig PlanConfig) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["data-in-vpc"] {
		pc.DataInVPC = fromConfig.DataInVPC
	}
	if !set["latency-hours"] {
		pc.LatencyTargetHours = fromConfig.LatencyTargetHours
	}
	if !set["fine-tuned"] {
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
		dec := ticketfile.NewDecoder(in, name, ticketfile.Options{MaxTicketBytes: int(w.cfg.MaxTicketBytes)})
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
		b, err := w.openBackend(ctx, nil)
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
// recommendation.
func evalEvidence(ctx context.Context, path string) plan.Evidence {
	if path == "" {
		return plan.Evidence{}
	}
	store, err := eval.NewJSONLStore(path)
	if err != nil {
		return plan.Evidence{}
	}
	runs, err := store.ListRuns(ctx)
	if err != nil || len(runs) == 0 {
		return plan.Evidence{}
	}
	last := runs[len(runs)-1]
	ev := plan.Evidence{EvalRun: true, EvalMeetsBar: last.Cheapest != "" && len(last.Bars) > 0}
	ev.EvalSummary = fmt.Sprintf("eval run %s on %s (%d tickets)", last.ID, last.Dataset.Name, last.Dataset.Tickets)
	if last.Cheapest != "" {
		ev.EvalSummary += "; cheapest configuration meeting every bar: " + last.Cheapest
	}
	return ev
}
