package eval

import (
	"fmt"
	"strings"
)

// View is a report as formatted cells and sentences: the data model that
// the terminal table (WriteTable) and the run's page (package evalpage, the
// UI's /evals/RUN and eval --html) render.
type View struct {
	// Dataset describes the data in one line: name, size, hash, and what it
	// has to score against (references, status labels).
	Dataset string
	// Columns head the table; Rows have one cell per column.
	Columns []Column
	Rows    []Row
	// Bars lists the bars checked; BarsNote says where they came from.
	Bars     string
	BarsNote string
	// Notes explain the n/a cells and bars: what a metric needs that the
	// run did not have.
	Notes []string
	// Problems are one line per configuration that could not be evaluated,
	// missed a bar, or has unscored judge items, with the reasons.
	Problems []string
	// Verdict is the recommendation in one sentence; Recommended is its
	// configuration ("" when none).
	Verdict     string
	Recommended string
}

// Column is one column of the view's table.
type Column struct {
	// Key is the metric's JSON key ("" for composite columns).
	Key string
	// Head is the short heading; Title says what it means.
	Head, Title string
}

// Row is one configuration of the view's table.
type Row struct {
	Name, Model, PromptVersion string
	// Verdict is "pass", "fail" or "errors".
	Verdict     string
	Recommended bool
	Cells       []string
}

// na is the cell of a metric the run could not measure.
const na = "n/a"

// column builds the view's columns and, per configuration, the cells.
type column struct {
	Column
	cell func(m *CellMetrics) string
}

func (rep *Report) columns() []column {
	opt := func(f *float64, m *CellMetrics) string {
		if f == nil && m.Errors < m.Tickets {
			return na
		}
		return fmtOpt(f, "%.1f")
	}
	cols := []column{
		{Column{"rouge1", "R-1", "ROUGE-1 F1 against the references"}, func(m *CellMetrics) string { return opt(m.Rouge1, m) }},
		{Column{"rouge2", "R-2", "ROUGE-2 F1 against the references"}, func(m *CellMetrics) string { return opt(m.Rouge2, m) }},
		{Column{"rougeL", "R-L", "ROUGE-L F1 against the references"}, func(m *CellMetrics) string { return opt(m.RougeL, m) }},
		{Column{"format_compliance", "format%", "summaries in the format: one paragraph, at most 60 words, a status"}, func(m *CellMetrics) string { return fmt.Sprintf("%.1f", m.FormatCompliance) }},
		{Column{"pii_leaks", "PII", "summaries with personal data"}, func(m *CellMetrics) string { return fmt.Sprint(m.PIILeaks) }},
		{Column{"status_accuracy", "status%", "labelled summaries with the right status"}, func(m *CellMetrics) string { return opt(m.StatusAccuracy, m) }},
		{Column{"hallucination_rate", "halluc%", "summaries naming something the ticket does not"}, func(m *CellMetrics) string { return fmt.Sprintf("%.1f", m.HallucinationRate) }},
		{Column{"toxicity_rate", "toxic%", "summaries with toxic, insulting or profane language"}, func(m *CellMetrics) string { return fmt.Sprintf("%.1f", m.ToxicityRate) }},
		{Column{"repaired", "repaired", "summaries that needed the repair call"}, func(m *CellMetrics) string { return fmt.Sprint(m.Repaired) }},
		{Column{"mean_words", "words", "mean summary length"}, func(m *CellMetrics) string { return fmt.Sprintf("%.1f", m.MeanWords) }},
		{Column{"latency_p50_ms", "p50 ms", "median latency"}, func(m *CellMetrics) string { return fmt.Sprintf("%.0f", m.LatencyP50MS) }},
		{Column{"latency_p95_ms", "p95 ms", "95th percentile latency"}, func(m *CellMetrics) string { return fmt.Sprintf("%.0f", m.LatencyP95MS) }},
		{Column{"", "tok in/out", "tokens per ticket, input and output"}, func(m *CellMetrics) string {
			return fmt.Sprintf("%.0f/%.0f", m.InputTokensPerTkt, m.OutputTokensPerTkt)
		}},
		{Column{"cost_per_ticket_usd", "$/ticket", "cost per ticket in USD"}, func(m *CellMetrics) string { return fmt.Sprintf("%.5f", m.CostPerTicketUSD) }},
		{Column{"cost_per_week_usd", "$/week", fmt.Sprintf("cost per week at %d tickets a week", rep.TicketsPerWeek)}, func(m *CellMetrics) string { return fmt.Sprintf("%.2f", m.CostPerWeekUSD) }},
		{Column{"errors", "errors", "items that could not be evaluated"}, func(m *CellMetrics) string { return fmt.Sprint(m.Errors) }},
	}
	if rep.Judge != "" {
		cols = append(cols, column{Column{"", "judge F/C/T", "judge means on 1-5: faithfulness, completeness, tone"}, func(m *CellMetrics) string {
			return fmt.Sprintf("%s/%s/%s (%d unscored)", fmtOpt(m.JudgeFaithfulness, "%.1f"), fmtOpt(m.JudgeCompleteness, "%.1f"), fmtOpt(m.JudgeTone, "%.1f"), m.JudgeUnscored)
		}})
	}
	if rep.Robustness != nil {
		cols = append(cols,
			column{Column{"robust_status_agreement", "robust status%", "perturbed tickets given the unperturbed status"}, func(m *CellMetrics) string { return opt(m.RobustStatusAgreement, m) }},
			column{Column{"robust_similarity", "robust sim", "ROUGE-L of perturbed against unperturbed summaries"}, func(m *CellMetrics) string { return opt(m.RobustSimilarity, m) }})
	}
	for _, m := range rep.Configurations {
		if m.Human != nil {
			cols = append(cols, column{Column{"", "human", "blind human ratings"}, func(m *CellMetrics) string { return m.Human.String() }})
			break
		}
	}
	return cols
}

// View returns the report as the rows and sentences its renderings show.
func (rep *Report) View() *View {
	v := &View{Dataset: rep.datasetLine(), Recommended: rep.Cheapest}
	cols := rep.columns()
	for _, c := range cols {
		v.Columns = append(v.Columns, c.Column)
	}
	for i := range rep.Configurations {
		m := &rep.Configurations[i]
		row := Row{Name: m.Name, Model: m.Model, PromptVersion: m.PromptVersion, Verdict: m.Verdict, Recommended: m.Name == rep.Cheapest}
		for _, c := range cols {
			row.Cells = append(row.Cells, c.cell(m))
		}
		v.Rows = append(v.Rows, row)
	}
	var bars []string
	for _, b := range rep.Bars {
		bars = append(bars, b.String())
	}
	v.Bars = strings.Join(bars, ", ")
	switch {
	case len(rep.Bars) == 0:
		v.BarsNote = "no bars"
	case rep.BarsDefault:
		v.BarsNote = "default bars (set your own with --bars)"
	default:
		v.BarsNote = "bars"
	}
	v.Notes = rep.notes()
	v.Problems = rep.problems()
	v.Verdict = rep.verdict()
	return v
}

func (rep *Report) datasetLine() string {
	var refs, labels int
	for _, m := range rep.Configurations {
		refs, labels = max(refs, m.WithReferences), max(labels, m.StatusLabelled)
	}
	what := fmt.Sprintf("%d with references, %d with status labels", refs, labels)
	if refs == 0 {
		what = fmt.Sprintf("no references, %d with status labels", labels)
	}
	return fmt.Sprintf("dataset %s (%d tickets, hash %.12s; %s)", rep.Dataset.Name, rep.Dataset.Tickets, rep.Dataset.Hash, what)
}

// notes explains every "n/a": the unmeasured metrics of configurations
// that made summaries, and the bars that did not apply.
func (rep *Report) notes() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, m := range rep.Configurations {
		if m.Errors >= m.Tickets {
			continue
		}
		if m.RougeL == nil {
			add("R-1, R-2, R-L: n/a (needs references: the dataset has no reference summaries; docs/evaluation.md says where labelled sets come from)")
		}
		if m.StatusAccuracy == nil {
			add("status%: n/a (needs status labels: no ticket of the dataset has expected_status)")
		}
		for _, b := range m.Bars {
			if b.NotApplicable != "" && b.NotApplicable != "no summary was made" {
				add("bar " + b.String())
			}
		}
	}
	return out
}

// problems lists, per configuration, why it could not be evaluated, which
// bars it missed, and why the judge left items unscored.
func (rep *Report) problems() []string {
	var out []string
	for _, m := range rep.Configurations {
		if m.Errors > 0 {
			out = append(out, fmt.Sprintf("%s could not be evaluated: %d of %d items failed: %s", m.Name, m.Errors, m.Tickets, reasonList(m.ErrorReasons)))
		}
		var missed []string
		for _, b := range m.Bars {
			if b.NotApplicable == "" && !b.Met {
				missed = append(missed, b.String())
			}
		}
		if len(missed) > 0 {
			out = append(out, fmt.Sprintf("%s misses %s", m.Name, strings.Join(missed, "; ")))
		}
		if r := m.Robustness; r != nil && r.Errors > 0 {
			out = append(out, fmt.Sprintf("%s could not be evaluated under perturbation: %d of %d perturbed items failed", m.Name, r.Errors, r.Errors+r.Items))
		}
		if m.JudgeUnscored > 0 {
			out = append(out, fmt.Sprintf("%s: the judge left %d items unscored: %s", m.Name, m.JudgeUnscored, reasonList(m.JudgeErrorReasons)))
		}
	}
	return out
}

// reasonList renders the three most frequent reasons.
func reasonList(rs []Reason) string {
	var parts []string
	for i, r := range rs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more reasons", len(rs)-3))
			break
		}
		code := ""
		if r.Code != "" {
			code = r.Code + ": "
		}
		parts = append(parts, fmt.Sprintf("%d x %s%s", r.Count, code, r.Message))
	}
	return strings.Join(parts, "; ")
}

func (rep *Report) verdict() string {
	if rep.Cheapest != "" {
		var m CellMetrics
		for _, c := range rep.Configurations {
			if c.Name == rep.Cheapest {
				m = c
			}
		}
		what := "the cheapest configuration that meets every bar"
		if len(rep.Bars) == 0 {
			what = "no bars set; the cheapest configuration without errors"
		}
		return fmt.Sprintf("recommended: %s, %s ($%.2f a week at %d tickets a week)", rep.Cheapest, what, m.CostPerWeekUSD, rep.TicketsPerWeek)
	}
	if len(rep.Unevaluated()) == len(rep.Configurations) {
		return "no configuration could be evaluated without errors, so none is recommended (reasons above)"
	}
	return "no configuration meets every bar, so none is recommended (what each missed is above)"
}
