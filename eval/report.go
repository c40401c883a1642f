package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the result of a run: metrics per configuration, the bars, and
// the cheapest configuration that meets every bar.
type Report struct {
	Dataset        DatasetInfo   `json:"dataset"`
	StartedAt      time.Time     `json:"started_at"`
	DurationMS     int64         `json:"duration_ms"`
	TicketsPerWeek int           `json:"tickets_per_week"`
	Judge          string        `json:"judge,omitempty"`
	Bars           []Bar         `json:"bars,omitempty"`
	Configurations []CellMetrics `json:"configurations"`
	// Cheapest names the configuration with the lowest cost per ticket
	// among those meeting every bar (ties go to the higher ROUGE-L); ""
	// when none does.
	Cheapest string `json:"cheapest_passing,omitempty"`
	// Items are the per-item results when Config.KeepItems is set.
	Items []Item `json:"items,omitempty"`
}

// DatasetInfo identifies the dataset of a run.
type DatasetInfo struct {
	Name    string   `json:"name"`
	Hash    string   `json:"hash"`
	Tickets int      `json:"tickets"`
	Skipped []string `json:"skipped,omitempty"`
}

func (r *Runner) buildReport(ds *Dataset, items [][]Item, start time.Time) *Report {
	rep := &Report{
		Dataset:        DatasetInfo{Name: ds.Name, Hash: ds.Hash, Tickets: len(ds.Tickets), Skipped: ds.Skipped},
		StartedAt:      start.UTC(),
		DurationMS:     r.cfg.Clock.Now().Sub(start).Milliseconds(),
		TicketsPerWeek: r.cfg.TicketsPerWeek,
		Bars:           r.cfg.Bars,
	}
	if r.cfg.Judge != nil {
		rep.Judge = r.cfg.Judge.Model.Name()
	}
	for i, c := range r.cfg.Candidates {
		m := aggregate(c, items[i], r.cfg.TicketsPerWeek)
		rep.Configurations = append(rep.Configurations, m)
		if r.cfg.KeepItems {
			rep.Items = append(rep.Items, items[i]...)
		}
	}
	rep.CheckBars()
	return rep
}

// CheckBars (re)checks the report's bars against every configuration and
// names the cheapest one that meets them all. A report without bars has
// every configuration passing.
func (rep *Report) CheckBars() {
	rep.Cheapest = ""
	var best *CellMetrics
	for i := range rep.Configurations {
		m := &rep.Configurations[i]
		m.Bars, m.PassesBars = nil, m.Errors < m.Tickets
		for _, b := range rep.Bars {
			res := b.Check(m)
			m.Bars = append(m.Bars, res)
			m.PassesBars = m.PassesBars && res.Met
		}
		if !m.PassesBars {
			continue
		}
		if best == nil || m.CostPerTicketUSD < best.CostPerTicketUSD ||
			m.CostPerTicketUSD == best.CostPerTicketUSD && deref(m.RougeL) > deref(best.RougeL) {
			best = m
		}
	}
	if best != nil {
		rep.Cheapest = best.Name
	}
}

func deref(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}

// ExitCode is the process exit status for CI: 0 when some configuration
// meets every bar (every configuration, when requireAll), 1 otherwise.
func (rep *Report) ExitCode(requireAll bool) int {
	if requireAll {
		for _, m := range rep.Configurations {
			if !m.PassesBars {
				return 1
			}
		}
		return 0
	}
	if rep.Cheapest == "" {
		return 1
	}
	return 0
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write eval report: %w", err)
	}
	return nil
}

func fmtOpt(f *float64, format string) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprintf(format, *f)
}

// WriteTable writes the report as a terminal table, one row per
// configuration, then the bars and the verdict.
func (rep *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "dataset %s (%d tickets, hash %.12s)\n\n", rep.Dataset.Name, rep.Dataset.Tickets, rep.Dataset.Hash)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	judge := rep.Judge != ""
	width := len("configuration")
	for _, m := range rep.Configurations {
		width = max(width, len(m.Name))
	}
	head := "configuration\tR-1\tR-2\tR-L\tformat%\tPII\tstatus%\thalluc%\trepaired\twords\tp50 ms\tp95 ms\ttok in/out\t$/ticket\t$/week\terrors\t"
	if judge {
		head += "judge F/C/T\t"
	}
	fmt.Fprintln(tw, pad("configuration", width)+strings.TrimPrefix(head, "configuration")+"bars\t")
	for _, m := range rep.Configurations {
		verdict := "-"
		if len(rep.Bars) > 0 {
			verdict = "FAIL"
			if m.PassesBars {
				verdict = "pass"
			}
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%.1f\t%d\t%s\t%.1f\t%d\t%.1f\t%.0f\t%.0f\t%.0f/%.0f\t%.5f\t%.2f\t%d\t",
			pad(m.Name, width), fmtOpt(m.Rouge1, "%.1f"), fmtOpt(m.Rouge2, "%.1f"), fmtOpt(m.RougeL, "%.1f"),
			m.FormatCompliance, m.PIILeaks, fmtOpt(m.StatusAccuracy, "%.1f"), m.HallucinationRate, m.Repaired, m.MeanWords,
			m.LatencyP50MS, m.LatencyP95MS, m.InputTokensPerTkt, m.OutputTokensPerTkt, m.CostPerTicketUSD, m.CostPerWeekUSD, m.Errors)
		if judge {
			row += fmt.Sprintf("%s/%s/%s (%d unscored)\t", fmtOpt(m.JudgeFaithfulness, "%.1f"), fmtOpt(m.JudgeCompleteness, "%.1f"), fmtOpt(m.JudgeTone, "%.1f"), m.JudgeUnscored)
		}
		fmt.Fprintln(tw, row+verdict+"\t")
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write eval table: %w", err)
	}
	if err := writeQuality(w, rep); err != nil {
		return err
	}
	if len(rep.Bars) > 0 {
		var bars []string
		for _, b := range rep.Bars {
			bars = append(bars, b.String())
		}
		fmt.Fprintf(w, "\nbars: %s\n", strings.Join(bars, ", "))
		for _, m := range rep.Configurations {
			var missed []string
			for _, b := range m.Bars {
				if !b.Met {
					missed = append(missed, fmt.Sprintf("%s (got %s)", b.Bar, fmtOpt(b.Actual, "%g")))
				}
			}
			if len(missed) > 0 {
				fmt.Fprintf(w, "  %s misses %s\n", m.Name, strings.Join(missed, "; "))
			}
		}
	}
	switch {
	case rep.Cheapest != "" && len(rep.Bars) == 0:
		fmt.Fprintf(w, "\nno bars set; cheapest configuration: %s\n", rep.Cheapest)
	case rep.Cheapest != "":
		fmt.Fprintf(w, "\ncheapest configuration meeting every bar: %s\n", rep.Cheapest)
	default:
		fmt.Fprintf(w, "\nno configuration meets every bar\n")
	}
	return nil
}

// pad left-aligns s in a right-aligned table column.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(width-len(s), 0))
}
