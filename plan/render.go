package plan

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Render writes the plan as text tables: workload, options per model and
// surface, quota at the peak hour, recommendation and the stage table.
func Render(w io.Writer, p *Plan) error {
	ew := &errWriter{w: w}
	wl := p.Workload
	ew.printf("Workload (%s)\n", wl.Source)
	ew.printf("  %s tickets a week, %s in the peak hour, %s input + %s output tokens a ticket",
		ftoa(wl.TicketsPerWeek), ftoa(wl.PeakHourTickets), ftoa(wl.InputTokens), ftoa(wl.OutputTokens))
	if wl.StaticPromptTokens > 0 {
		ew.printf(" (%s static)", ftoa(wl.StaticPromptTokens))
	}
	ew.printf("\n  %s input and %s output tokens a week", tokens(wl.TicketsPerWeek*wl.InputTokens), tokens(wl.TicketsPerWeek*wl.OutputTokens))
	if wl.BackfillTickets > 0 {
		ew.printf("; backfill of %s tickets", ftoa(wl.BackfillTickets))
	}
	ew.printf("\n\nCost by model and surface (USD; * = unverified prices)\n")
	tw := tabwriter.NewWriter(ew, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tSURFACE\tWEEKLY\tMONTHLY\tBACKFILL\tUNITS\tBREAK-EVEN TICKETS/WEEK\tNOTE")
	for _, o := range p.Options {
		weekly, monthly, backfill, units, be := "-", "-", "", "", ""
		if o.Available {
			weekly, monthly = usd(o.WeeklyCostUSD, o.Verified), usd(o.MonthlyCostUSD, o.Verified)
		}
		if o.BackfillCostUSD > 0 {
			backfill = usd(o.BackfillCostUSD, o.Verified)
		}
		if o.Units > 0 {
			units = itoa(o.Units)
		}
		if o.BreakEvenTicketsPerWeek > 0 {
			be = fmt.Sprintf("%.0f", o.BreakEvenTicketsPerWeek)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.Model, o.Surface, weekly, monthly, backfill, units, be, o.Note)
	}
	tw.Flush()
	for i, wn := range p.Warnings {
		if i == 0 {
			ew.printf("\nWarnings\n")
		}
		ew.printf("  - %s\n", wn)
	}
	ew.printf("\nQuota at the peak hour\n")
	tw = tabwriter.NewWriter(ew, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tRPM NEEDED\tRPM QUOTA\tTPM NEEDED\tTPM QUOTA\tSTATUS")
	for _, q := range p.Quotas {
		rq, tq := "-", "-"
		if q.Configured != nil {
			rq, tq = itoa(q.Configured.RequestsPerMinute), itoa(q.Configured.TokensPerMinute)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", q.Model, ftoa(q.PeakRequestsPerMinute), rq, ftoa(q.PeakTokensPerMinute), tq, q.Status)
	}
	tw.Flush()
	r := p.Recommendation
	if r.Model == "" && r.Surface == "" {
		ew.printf("\nRecommendation: none yet\n")
	} else {
		ew.printf("\nRecommendation: %s on %s, $%s a week ($%s a month)\n", orNone(r.Model), orNone(r.Surface), ftoa(r.WeeklyCostUSD), ftoa(r.MonthlyCostUSD))
	}
	for _, s := range r.Reasons {
		ew.printf("  - %s\n", s)
	}
	for _, s := range r.Excluded {
		ew.printf("  - excluded: %s\n", s)
	}
	renderModels(ew, p.Models)
	ew.printf("\nStages\n")
	tw = tabwriter.NewWriter(ew, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tNEEDED\tEVIDENCE")
	for _, s := range p.Stages {
		needed := "no"
		if s.Needed {
			needed = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, needed, s.Evidence)
	}
	tw.Flush()
	return ew.err
}

// renderModels writes the approved and evaluated models side by side, and
// the eval command that would try the approved ones no run has.
func renderModels(ew *errWriter, ms []ModelStatus) {
	if len(ms) == 0 {
		return
	}
	ew.printf("\nApproved and evaluated models\n")
	tw := tabwriter.NewWriter(ew, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tAPPROVED\tEVALUATED\tNEXT")
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Model, yes(m.Approved), yes(m.Evaluated), m.Next)
	}
	tw.Flush()
	if todo := notEvaluated(ms); len(todo) > 1 {
		ew.printf("  Evaluate the %d approved models not yet evaluated at once: ticketsum eval --models %s\n", len(todo), strings.Join(todo, ","))
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

func usd(v float64, verified bool) string {
	s := fmt.Sprintf("%.2f", v)
	if !verified {
		s += "*"
	}
	return s
}

// tokens writes a token count as 16M, 1.6M, 950K.
func tokens(n float64) string {
	switch {
	case n >= 1e6:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", n/1e6), "0"), ".") + "M"
	case n >= 1e3:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", n/1e3), "0"), ".") + "K"
	}
	return ftoa(n)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
