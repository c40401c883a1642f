package eval

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// QualityMetrics count, over one split of a dataset, the summaries with
// each failure class and, on labelled tickets, the facts stated. Split is
// "all" for every ticket, or a labelled split ("dev", "test").
type QualityMetrics struct {
	Split string `json:"split"`
	// Tickets counts the summaries made; Labelled those with labels.
	Tickets  int `json:"tickets"`
	Labelled int `json:"labelled"`
	// Clean counts summaries with no failure class.
	Clean int `json:"clean"`
	// Artefacts counts the summaries with each failure class
	// (ArtefactClasses).
	Artefacts map[string]int `json:"artefacts"`
	// On labelled tickets: summaries stating every issue fact, every action
	// fact, every outcome fact; leaking a forbidden value; framing a
	// question or spam as a complaint; with the right status; and Good
	// ones (all facts, right status, no leak, no failure class).
	IssueStated    int `json:"issue_stated"`
	ActionStated   int `json:"action_stated"`
	OutcomeStated  int `json:"outcome_stated"`
	Leaks          int `json:"leaks"`
	ComplaintFrame int `json:"complaint_frame"`
	StatusRight    int `json:"status_right"`
	Good           int `json:"good"`
}

// checkQuality adds the failure classes and, with labels, the fact check
// to an item that has a summary.
func (r *Runner) checkQuality(it *Item, l *Labels) {
	if it.Error != "" {
		return
	}
	it.Artefacts = r.detector.Artefacts(it.Summary)
	if l != nil {
		fc := CheckFacts(it.Summary, l)
		it.Facts = &fc
	}
}

// aggregateQuality returns the "all" row, then one per labelled split in
// order of first appearance; nil when no item has a summary.
func aggregateQuality(items []Item) []QualityMetrics {
	rows := map[string]*QualityMetrics{}
	var order []string
	row := func(split string) *QualityMetrics {
		if q, ok := rows[split]; ok {
			return q
		}
		q := &QualityMetrics{Split: split, Artefacts: map[string]int{}}
		rows[split] = q
		order = append(order, split)
		return q
	}
	for _, it := range items {
		if it.Error != "" {
			continue
		}
		targets := []*QualityMetrics{row("all")}
		if it.Facts != nil && it.Facts.Split != "" {
			targets = append(targets, row(it.Facts.Split))
		}
		for _, q := range targets {
			q.add(it)
		}
	}
	var out []QualityMetrics
	for _, s := range order {
		out = append(out, *rows[s])
	}
	return out
}

func (q *QualityMetrics) add(it Item) {
	q.Tickets++
	if len(it.Artefacts) == 0 {
		q.Clean++
	}
	for _, a := range it.Artefacts {
		q.Artefacts[a]++
	}
	fc := it.Facts
	if fc == nil {
		return
	}
	q.Labelled++
	statusOK := it.ExpectedStatus == "" || it.Status == it.ExpectedStatus
	count := func(n *int, ok bool) {
		if ok {
			*n++
		}
	}
	count(&q.IssueStated, fc.IssueOK)
	count(&q.ActionStated, fc.ActionOK)
	count(&q.OutcomeStated, fc.OutcomeOK)
	count(&q.Leaks, len(fc.Leaked) > 0)
	count(&q.ComplaintFrame, fc.Frame != "")
	count(&q.StatusRight, statusOK)
	count(&q.Good, fc.Good() && statusOK && len(it.Artefacts) == 0)
}

// writeQuality writes, under the main table, the failure classes and fact
// scores of each configuration: one column per split, one row per count.
// It writes nothing when no configuration has them.
func writeQuality(w io.Writer, rep *Report) error {
	for _, m := range rep.Configurations {
		if len(m.Quality) == 0 {
			continue
		}
		labelled := false
		for _, q := range m.Quality {
			labelled = labelled || q.Labelled > 0
		}
		if !labelled {
			q := m.Quality[0]
			fmt.Fprintf(w, "\nsummary quality of %s: %d of %d summaries without a form fault (hallucinations are counted in halluc%%, not here)", m.Name, q.Clean, q.Tickets)
			for _, c := range ArtefactClasses {
				if q.Artefacts[c] > 0 {
					fmt.Fprintf(w, "; %s %d", c, q.Artefacts[c])
				}
			}
			fmt.Fprintln(w)
			continue
		}
		fmt.Fprintf(w, "\nsummary quality of %s (summaries counted; facts on labelled tickets)\n", m.Name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := []string{""}
		for _, q := range m.Quality {
			head = append(head, q.Split)
		}
		fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
		row := func(name string, get func(q QualityMetrics) int) {
			cells := []string{name}
			for _, q := range m.Quality {
				cells = append(cells, fmt.Sprint(get(q)))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
		}
		row("tickets", func(q QualityMetrics) int { return q.Tickets })
		row("no form fault", func(q QualityMetrics) int { return q.Clean })
		row("good", func(q QualityMetrics) int { return q.Good })
		row("issue stated", func(q QualityMetrics) int { return q.IssueStated })
		row("action stated", func(q QualityMetrics) int { return q.ActionStated })
		row("outcome stated", func(q QualityMetrics) int { return q.OutcomeStated })
		row("status right", func(q QualityMetrics) int { return q.StatusRight })
		row("leaks", func(q QualityMetrics) int { return q.Leaks })
		row("complaint frame", func(q QualityMetrics) int { return q.ComplaintFrame })
		for _, c := range ArtefactClasses {
			row(c, func(q QualityMetrics) int { return q.Artefacts[c] })
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write eval quality table: %w", err)
		}
	}
	return nil
}
