package cli

import (
	"fmt"
	"html/template"
	"io"
	"slices"

	"github.com/ticketsum/ticketsum/eval"
	"github.com/ticketsum/ticketsum/evalpage"
	"github.com/ticketsum/ticketsum/plan"
)

// writePlanHTML handles `ticketsum plan --html FILE`: the plan as a
// self-contained page with the chart of weekly cost against volume per
// surface. An empty path writes nothing.
func writePlanHTML(e *env, path string, cfg plan.Config, p *plan.Plan) error {
	if path == "" {
		return nil
	}
	curve, err := plan.CostCurve(cfg, p.Workload, plan.ChartVolumes(p))
	if err != nil {
		return err
	}
	if err := writeFileWith(path, func(w io.Writer) error { return plan.WriteHTML(w, p, curve) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", path)
	return nil
}

// evalReportHTML returns the writer of `ticketsum eval --html`: the
// evaluation report with the deployment plan of the evaluated models
// embedded. When the plan cannot be made (no priced model was evaluated,
// no tokens were measured) the report is written without it, and why is
// logged.
func (w *wiring) evalReportHTML(rep *eval.Report) func(io.Writer) error {
	return func(out io.Writer) error {
		sec, err := w.evalPlanSection(rep)
		if err != nil {
			w.logger.Warn("eval HTML report written without the deployment plan", "reason", err.Error())
		}
		return evalpage.WriteStandalone(out, evalpage.RunData{Report: rep, Items: rep.Items}, sec)
	}
}

// evalPlanSection prices the evaluated models at the volume the report
// costs (rep.TicketsPerWeek) and the tokens a ticket the evaluation
// measured (the mean over the evaluated configurations of priced models),
// with the model of the cheapest configuration meeting every bar first so
// that the recommendation and the chart by surface are about it.
func (w *wiring) evalPlanSection(rep *eval.Report) (template.HTML, error) {
	cat, err := w.catalogue()
	if err != nil {
		return "", err
	}
	var models []string
	var in, out float64
	n := 0
	for _, m := range rep.Configurations {
		e, err := cat.Lookup(m.Model)
		if err != nil || e.Family == "builtin" || m.InputTokensPerTkt <= 0 {
			continue
		}
		in, out, n = in+m.InputTokensPerTkt, out+m.OutputTokensPerTkt, n+1
		if m.Name == rep.Cheapest {
			models = slices.Insert(slices.DeleteFunc(models, func(s string) bool { return s == m.Model }), 0, m.Model)
		} else if !slices.Contains(models, m.Model) {
			models = append(models, m.Model)
		}
	}
	if n == 0 {
		return "", fmt.Errorf("no evaluated configuration of a catalogue-priced model measured its tokens")
	}
	wl := plan.Workload{
		TicketsPerWeek: float64(rep.TicketsPerWeek), InputTokens: in / float64(n), OutputTokens: out / float64(n),
		Source: fmt.Sprintf("eval of %s on %s (%s): mean tokens a ticket as measured; weekly volume as the report costs it",
			plural(n, "configuration"), rep.Dataset.Name, plural(rep.Dataset.Tickets, "ticket")),
	}
	if s := w.staticPromptTokens(); s <= wl.InputTokens {
		wl.StaticPromptTokens = s
	}
	pc := w.cfg.Plan
	cfg := plan.Config{Catalogue: cat, Models: models, Quotas: map[string]plan.Quota{},
		Constraints: plan.Constraints{DataInVPC: pc.DataInVPC, LatencyTargetHours: pc.LatencyTargetHours, FineTuned: pc.FineTuned},
		Evidence:    evalReportEvidence(rep)}
	for name, m := range w.cfg.Models {
		if m.RPM > 0 || m.TPM > 0 {
			cfg.Quotas[name] = plan.Quota{RequestsPerMinute: m.RPM, TokensPerMinute: m.TPM}
		}
	}
	p, err := plan.Make(cfg, wl)
	if err != nil {
		return "", err
	}
	volumes := plan.ChartVolumes(p)
	curve, err := plan.CostCurve(cfg, p.Workload, volumes)
	if err != nil {
		return "", err
	}
	return plan.Section("Deployment plan for the evaluated models", p, curve, measuredFigure(rep, volumes))
}

// measuredFigure charts each evaluated configuration's weekly cost on
// demand at the cost a ticket the evaluation measured.
func measuredFigure(rep *eval.Report, volumes []float64) plan.Figure {
	f := plan.Figure{Caption: "Weekly cost against volume on-demand by evaluated configuration (measured cost a ticket)"}
	f.Chart = plan.Chart{Title: "Weekly cost by evaluated configuration", Current: float64(rep.TicketsPerWeek)}
	for _, m := range rep.Configurations {
		l := plan.Line{Label: m.Name}
		for _, v := range volumes {
			l.Points = append(l.Points, plan.Point{TicketsPerWeek: v, WeeklyCostUSD: v * m.CostPerTicketUSD})
		}
		f.Chart.Lines = append(f.Chart.Lines, l)
		f.Notes = append(f.Notes, fmt.Sprintf("%s: $%.5f a ticket, $%.2f a week at %s", m.Name, m.CostPerTicketUSD, m.CostPerTicketUSD*float64(rep.TicketsPerWeek), plural(rep.TicketsPerWeek, "ticket")))
	}
	return f
}

// evalReportEvidence is the evidence a report gives the stage table.
func evalReportEvidence(rep *eval.Report) plan.Evidence {
	ev := plan.Evidence{EvalRun: true, EvalMeetsBar: rep.Cheapest != "" && len(rep.Bars) > 0}
	ev.EvalSummary = fmt.Sprintf("this run on %s (%s)", rep.Dataset.Name, plural(rep.Dataset.Tickets, "ticket"))
	if rep.Cheapest != "" {
		ev.EvalSummary += "; cheapest configuration meeting every bar: " + rep.Cheapest
	}
	return ev
}
