package evalpage

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/eval"
)

// RunData is what a run's page shows: the report, every configuration's
// output per ticket, and the tickets they summarise.
type RunData struct {
	// ID is the stored run's id; empty for a report that was not kept
	// (the standalone file of an eval run without a store).
	ID     string
	Report *eval.Report
	// Items are the outputs; without them the page says that the run kept
	// none instead of showing summaries side by side.
	Items []eval.Item
	// Tickets give the sample's subjects, by id; a missing one shows its id.
	Tickets map[string]*ticketsum.Ticket
}

// weeksPerMonth turns a weekly cost into a monthly one (52 weeks / 12).
const weeksPerMonth = 52.0 / 12

// defaultTicketsPerWeek is eval's default volume, for runs that say none.
const defaultTicketsPerWeek = 8000

// ReportOf turns a stored run into the report its page renders. The
// volume is read back from the costs (cost per week over cost per
// ticket), or the run's "tickets_per_week" setting, or eval's default.
func ReportOf(run *eval.Run) *eval.Report {
	rep := &eval.Report{Dataset: run.Dataset, StartedAt: run.StartedAt, Judge: run.Judge, Bars: run.Bars,
		Configurations: slices.Clone(run.Configurations), Cheapest: run.Cheapest}
	rep.BarsDefault = len(run.Bars) > 0 && run.Config != nil && run.Config["bars"] == ""
	for _, m := range run.Configurations {
		if m.CostPerTicketUSD > 0 && m.CostPerWeekUSD > 0 {
			rep.TicketsPerWeek = int(math.Round(m.CostPerWeekUSD / m.CostPerTicketUSD))
			break
		}
	}
	if rep.TicketsPerWeek == 0 {
		if n, err := strconv.Atoi(run.Config["tickets_per_week"]); err == nil && n > 0 {
			rep.TicketsPerWeek = n
		} else {
			rep.TicketsPerWeek = defaultTicketsPerWeek
		}
	}
	for _, m := range run.Configurations {
		if m.Robustness != nil || m.RobustStatusAgreement != nil {
			rep.Robustness = &eval.RobustnessInfo{}
			break
		}
	}
	return rep
}

// answer is one sentence of the page's opening: Kind is "ok", "miss",
// "error" or "note", for its mark and colour.
type answer struct {
	Kind, Text string
}

// figure is one line of a configuration's card.
type figure struct {
	Label, Title, Value string
	// Miss holds the bar the figure missed ("bar ≥ 25"), empty when none.
	Miss string
}

// card is one configuration.
type card struct {
	Name, Model, PromptVersion, Verdict string
	Recommended                         bool
	CostTicket, CostWeek, CostMonth     string
	Figures                             []figure
	// Flags say which summaries were fixed up or made unusually:
	// "status inferred on 3 of 20".
	Flags []string
	// Problems are why it could not be evaluated, when it could not.
	Problems []string
}

// cell is one configuration's summary of a sample ticket.
type cell struct {
	Config, Summary, Error string
	Status                 ticketsum.Status
	// Differs is true when this status is not the most common one among
	// the ticket's summaries.
	Differs bool
	Flags   []string
}

// sample is one ticket of the side-by-side section.
type sample struct {
	TicketID, Subject, Link string
	Expected                ticketsum.Status
	Differs                 bool
	Cells                   []cell
}

// runView is the data of a run's page (served or standalone).
type runView struct {
	ID, Dataset, Started, Judge string
	TicketsPerWeek              int
	Headline                    string
	Recommended                 bool
	Answers                     []answer
	Bars, BarsNote              string
	Cards                       []card
	Chart                       chartView
	Samples                     []sample
	SampleNote                  string
	Columns                     []eval.Column
	Rows                        []eval.Row
	Notes                       []string
}

// sampleSize is how many tickets are shown side by side.
const sampleSize = 8

// buildRun makes the view of a run's page; link makes a sample ticket's
// link ("" for none).
func buildRun(d RunData, link func(ticketID string) string) runView {
	rep := d.Report
	v := rep.View()
	rv := runView{ID: d.ID, Dataset: v.Dataset, Started: rep.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), Judge: rep.Judge,
		TicketsPerWeek: rep.TicketsPerWeek, Bars: v.Bars, BarsNote: v.BarsNote, Columns: v.Columns, Rows: v.Rows, Notes: v.Notes}
	rv.Headline, rv.Recommended = headline(rep)
	rv.Answers = answers(rep, v)
	rv.Cards = cards(rep, v, d.Items)
	rv.Chart = qualityChart(rep)
	rv.Samples, rv.SampleNote = samples(d, link)
	return rv
}

// byName returns the configuration called name.
func byName(rep *eval.Report, name string) *eval.CellMetrics {
	for i := range rep.Configurations {
		if rep.Configurations[i].Name == name {
			return &rep.Configurations[i]
		}
	}
	return nil
}

// imported reports whether the run's scores were read from an Amazon
// Bedrock evaluation job (eval import --bedrock): no costs, no bars, the
// job's metrics in CellMetrics.External.
func imported(rep *eval.Report) bool {
	for _, m := range rep.Configurations {
		if m.Verdict != "imported" {
			return false
		}
	}
	return len(rep.Configurations) > 0
}

// headline is the one-sentence answer: what to use, or that nothing is
// recommended.
func headline(rep *eval.Report) (string, bool) {
	if imported(rep) {
		return fmt.Sprintf("Scores of an Amazon Bedrock evaluation job (%s), imported: compare them on the cards; an imported job recommends nothing.", rep.Dataset.Name), false
	}
	if m := byName(rep, rep.Cheapest); m != nil {
		return fmt.Sprintf("Use %s: %s a week, %s a month at %s tickets a week.", m.Name,
			usd(m.CostPerWeekUSD), usd(m.CostPerWeekUSD*weeksPerMonth), thousands(rep.TicketsPerWeek)), true
	}
	if len(rep.Configurations) > 0 && len(rep.Unevaluated()) == len(rep.Configurations) {
		return "No configuration is recommended: none could be evaluated without errors.", false
	}
	return "No configuration is recommended: none met every bar.", false
}

// answers are the sentences under the headline: why the recommended one,
// which configuration missed which bar by how much, which could not be
// evaluated and why.
func answers(rep *eval.Report, v *eval.View) []answer {
	var out []answer
	if imported(rep) {
		for _, m := range rep.Configurations {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(m.External)) {
				parts = append(parts, fmt.Sprintf("%s %s", strings.TrimPrefix(k, "Builtin."), num2(m.External[k])))
			}
			out = append(out, answer{"note", fmt.Sprintf("%s on %d prompts: %s.", m.Name, m.Tickets, strings.Join(parts, ", "))})
		}
		if rep.Judge != "" {
			out = append(out, answer{"note", "Judged by " + rep.Judge + " on Bedrock; scores are means on 0 to 1."})
		}
		return out
	}
	heads := map[string]string{}
	for _, c := range v.Columns {
		if c.Key != "" {
			heads[c.Key] = c.Head
		}
	}
	maps.Copy(heads, metricNames)
	if m := byName(rep, rep.Cheapest); m != nil {
		out = append(out, answer{"ok", recommendedWhy(rep, m)})
	}
	for _, m := range rep.Configurations {
		if m.Errors > 0 {
			what := fmt.Sprintf("%s could not be evaluated on %d of %d tickets", m.Name, m.Errors, m.Tickets)
			if m.Errors >= m.Tickets {
				what = fmt.Sprintf("%s could not be evaluated: all %d tickets failed", m.Name, m.Tickets)
			}
			out = append(out, answer{"error", what + ": " + reasons(m.ErrorReasons) + "."})
		}
		var missed []string
		for _, b := range m.Bars {
			switch {
			case b.NotApplicable != "" || b.Met:
			case b.Actual != nil:
				missed = append(missed, missBy(b, heads[b.Metric]))
			case b.Unmeasured != "":
				missed = append(missed, fmt.Sprintf("%s (not measured: %s)", cmp.Or(heads[b.Metric], b.Metric), b.Unmeasured))
			}
		}
		if len(missed) > 0 {
			out = append(out, answer{"miss", fmt.Sprintf("%s missed %s.", m.Name, strings.Join(missed, "; "))})
		}
		if m.JudgeUnscored > 0 {
			out = append(out, answer{"note", fmt.Sprintf("The judge left %d of %s's summaries unscored: %s.", m.JudgeUnscored, m.Name, reasons(m.JudgeErrorReasons))})
		}
	}
	if len(rep.Bars) == 0 {
		out = append(out, answer{"note", "No quality bars were set, so a recommendation only means the cheapest configuration without errors; set bars with eval --bars."})
	}
	return out
}

// recommendedWhy says why the recommended configuration was chosen.
func recommendedWhy(rep *eval.Report, m *eval.CellMetrics) string {
	var others []*eval.CellMetrics
	for i := range rep.Configurations {
		o := &rep.Configurations[i]
		if o.Name != m.Name && o.PassesBars && o.Errors == 0 {
			others = append(others, o)
		}
	}
	why := fmt.Sprintf("%s (%s, prompt %s) is the cheapest of the configurations that made every summary and met every bar, at %s a ticket.",
		m.Name, m.Model, m.PromptVersion, usdTicket(m.CostPerTicketUSD))
	if len(rep.Bars) == 0 {
		why = fmt.Sprintf("%s (%s, prompt %s) is the cheapest configuration that made every summary, at %s a ticket.", m.Name, m.Model, m.PromptVersion, usdTicket(m.CostPerTicketUSD))
	}
	if len(others) == 0 {
		return why + " It is the only one that did."
	}
	next := slices.MinFunc(others, func(a, b *eval.CellMetrics) int { return cmp.Compare(a.CostPerWeekUSD, b.CostPerWeekUSD) })
	more := fmt.Sprintf("costs %s a week more", usd(next.CostPerWeekUSD-m.CostPerWeekUSD))
	if next.CostPerWeekUSD-m.CostPerWeekUSD < 0.005 {
		more = "costs the same (ties go to the higher ROUGE-L, then the first evaluated)"
	}
	return why + fmt.Sprintf(" %d other %s also did; the next cheapest, %s, %s.",
		len(others), plural(len(others), "configuration", "configurations"), next.Name, more)
}

// metricNames name the bars' metrics in the page's sentences.
var metricNames = map[string]string{
	"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L", "format_compliance": "format compliance %",
	"pii_leaks": "summaries with personal data", "status_accuracy": "status accuracy %",
	"hallucination_rate": "hallucination %", "toxicity_rate": "toxicity %",
	"robust_status_agreement": "status agreement under perturbation %", "robust_similarity": "similarity under perturbation",
}

// cardSkips are the table's columns a card leaves to the full table.
var cardSkips = []string{"R-1", "R-2", "words", "tok in/out", "$/ticket", "$/week"}

// missBy says how far a missed bar was missed: "ROUGE-L ≥ 25 by 3.2
// (got 21.8)".
func missBy(b eval.BarResult, head string) string {
	if head == "" {
		head = b.Metric
	}
	op := map[string]string{">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}[b.Op]
	got := *b.Actual
	if b.Op == "==" {
		return fmt.Sprintf("%s %s %s (got %s)", head, op, num(b.Value), num(got))
	}
	return fmt.Sprintf("%s %s %s by %s (got %s)", head, op, num(b.Value), num(math.Abs(got-b.Value)), num(got))
}

// reasons renders the three most frequent reasons.
func reasons(rs []eval.Reason) string {
	var parts []string
	for i, r := range rs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(rs)-3))
			break
		}
		code := ""
		if r.Code != "" {
			code = " (" + r.Code + ")"
		}
		parts = append(parts, fmt.Sprintf("%d × %s%s", r.Count, r.Message, code))
	}
	if len(parts) == 0 {
		return "no reason was recorded"
	}
	return strings.Join(parts, "; ")
}

// cards makes a card per configuration: the recommended one first, then
// those that met every bar by cost, then those that missed one, then those
// with errors.
func cards(rep *eval.Report, v *eval.View, items []eval.Item) []card {
	flags := flagCounts(items)
	var out []card
	for i, row := range v.Rows {
		m := &rep.Configurations[i]
		c := card{Name: m.Name, Model: m.Model, PromptVersion: m.PromptVersion, Verdict: m.Verdict, Recommended: row.Recommended,
			CostTicket: usdTicket(m.CostPerTicketUSD), CostWeek: usd(m.CostPerWeekUSD), CostMonth: usd(m.CostPerWeekUSD * weeksPerMonth)}
		missed := map[string]string{}
		for _, b := range m.Bars {
			if b.NotApplicable == "" && !b.Met {
				missed[b.Metric] = "bar " + strings.TrimPrefix(b.Bar.String(), b.Metric+" ")
			}
		}
		for j, col := range v.Columns {
			if imported(rep) {
				break // an imported job measured only its own metrics
			}
			if slices.Contains(cardSkips, col.Head) {
				continue // in the cost line or the full table
			}
			c.Figures = append(c.Figures, figure{Label: col.Head, Title: col.Title, Value: row.Cells[j], Miss: missed[col.Key]})
		}
		for _, k := range slices.Sorted(maps.Keys(m.External)) {
			c.Figures = append(c.Figures, figure{Label: strings.TrimPrefix(k, "Builtin."), Title: k + ", from an Amazon Bedrock evaluation job (0 to 1)", Value: num2(m.External[k])})
		}
		c.Flags = flags[m.Name]
		if len(c.Flags) == 0 && m.Repaired > 0 {
			c.Flags = []string{fmt.Sprintf("repaired %d of %d", m.Repaired, m.Tickets)}
		}
		if m.Errors > 0 {
			c.Problems = append(c.Problems, fmt.Sprintf("%d of %d tickets failed: %s", m.Errors, m.Tickets, reasons(m.ErrorReasons)))
		}
		out = append(out, c)
	}
	rank := func(c card) int {
		switch {
		case c.Recommended:
			return 0
		case c.Verdict == "pass":
			return 1
		case c.Verdict == "fail":
			return 2
		}
		return 3
	}
	slices.SortStableFunc(out, func(a, b card) int {
		if r := cmp.Compare(rank(a), rank(b)); r != 0 {
			return r
		}
		return cmp.Compare(byName(rep, a.Name).CostPerWeekUSD, byName(rep, b.Name).CostPerWeekUSD)
	})
	return out
}

// flagNames say in words what an item's flag means.
var flagNames = []struct{ prefix, name string }{
	{ticketsum.FlagStatusInferred, "status inferred"},
	{"repaired:", "repaired"},
	{ticketsum.FlagTruncated, "truncated"},
	{ticketsum.FlagJoined, "paragraphs joined"},
	{ticketsum.FlagTrimmed, "preamble or closing removed"},
	{"answer_reused", "answer reused"},
	{"usage:estimated", "usage estimated"},
	{"fallback", "fallback model answered"},
}

// flagCounts counts, per configuration, the summaries with each flag:
// "status inferred on 3 of 20".
func flagCounts(items []eval.Item) map[string][]string {
	counts := map[string]map[string]int{}
	totals := map[string]int{}
	for _, it := range items {
		totals[it.Config]++
		seen := map[string]bool{}
		for _, f := range it.Flags {
			for _, fn := range flagNames {
				if strings.HasPrefix(f, fn.prefix) && !seen[fn.name] {
					seen[fn.name] = true
					if counts[it.Config] == nil {
						counts[it.Config] = map[string]int{}
					}
					counts[it.Config][fn.name]++
				}
			}
		}
	}
	out := map[string][]string{}
	for cfg, cs := range counts {
		for _, fn := range flagNames {
			if n := cs[fn.name]; n > 0 {
				out[cfg] = append(out[cfg], fmt.Sprintf("%s on %d of %d", fn.name, n, totals[cfg]))
			}
		}
	}
	return out
}

// samples picks up to sampleSize tickets that every configuration
// summarised, those whose statuses differ first, in dataset order.
func samples(d RunData, link func(string) string) ([]sample, string) {
	if len(d.Items) == 0 {
		return nil, "This run kept no summaries (eval keeps them when it stores the run with its outputs), so none can be shown side by side."
	}
	var order, all, configs []string
	by := map[string]map[string]eval.Item{}
	made := map[string]bool{}
	for _, it := range d.Items {
		if by[it.TicketID] == nil {
			by[it.TicketID] = map[string]eval.Item{}
			order = append(order, it.TicketID)
		}
		if !slices.Contains(all, it.Config) {
			all = append(all, it.Config)
		}
		if it.Error == "" && strings.TrimSpace(it.Summary) != "" {
			made[it.Config] = true
		}
		by[it.TicketID][it.Config] = it
	}
	var without []string
	for _, c := range all {
		if made[c] {
			configs = append(configs, c)
		} else {
			without = append(without, c)
		}
	}
	var differ, same []sample
	for _, id := range order {
		s := sampleOf(id, configs, by[id], d.Tickets[id], link)
		if s == nil {
			continue
		}
		if s.Differs {
			differ = append(differ, *s)
		} else {
			same = append(same, *s)
		}
	}
	picked := append(differ, same...)
	if len(picked) == 0 {
		return nil, "No ticket has a summary from every configuration, so none can be shown side by side; the cards say why they failed."
	}
	note := fmt.Sprintf("%d of %d tickets, those where the configurations disagree on the status first.", min(len(picked), sampleSize), len(order))
	if len(without) > 0 {
		note += fmt.Sprintf(" Left out for making no summary: %s.", strings.Join(without, ", "))
	}
	return picked[:min(len(picked), sampleSize)], note
}

// sampleOf makes one ticket's row; nil when a configuration has no
// summary of it.
func sampleOf(id string, configs []string, items map[string]eval.Item, t *ticketsum.Ticket, link func(string) string) *sample {
	s := &sample{TicketID: id, Subject: id}
	if t != nil && t.Subject != "" {
		s.Subject = t.Subject
	}
	if link != nil {
		s.Link = link(id)
	}
	for _, c := range configs {
		it, ok := items[c]
		if !ok || it.Error != "" || strings.TrimSpace(it.Summary) == "" {
			return nil
		}
		s.Expected = it.ExpectedStatus
		var fl []string
		for _, f := range it.Flags {
			for _, fn := range flagNames {
				if strings.HasPrefix(f, fn.prefix) {
					fl = append(fl, fn.name)
				}
			}
		}
		s.Cells = append(s.Cells, cell{Config: c, Summary: it.Summary, Status: it.Status, Flags: fl})
	}
	s.Differs = markDiffers(s.Cells, s.Expected)
	return s
}

// markDiffers marks the summaries whose status is not the label (when the
// ticket has one) or not the most common one, and reports whether the
// summaries disagree or any misses the label. Cells without a summary are
// left out.
func markDiffers(cells []cell, expected ticketsum.Status) bool {
	counts := map[ticketsum.Status]int{}
	var order []ticketsum.Status
	for _, c := range cells {
		if c.Error == "" {
			if counts[c.Status] == 0 {
				order = append(order, c.Status)
			}
			counts[c.Status]++
		}
	}
	common, best := expected, 0
	if common == "" {
		for _, st := range order {
			if counts[st] > best {
				common, best = st, counts[st]
			}
		}
	}
	differs := len(counts) > 1
	for i := range cells {
		if cells[i].Error == "" && cells[i].Status != common {
			cells[i].Differs, differs = true, true
		}
	}
	return differs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// usd formats a weekly or monthly cost.
func usd(f float64) string {
	if f >= 100 {
		return "$" + thousands(int(math.Round(f)))
	}
	return fmt.Sprintf("$%.2f", f)
}

// usdTicket formats a cost per ticket, which can be a fraction of a cent.
func usdTicket(f float64) string {
	if f == 0 {
		return "$0"
	}
	return "$" + strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.5f", f), "0"), ".")
}

// num formats a figure with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// num2 formats a score on 0 to 1 with two decimals.
func num2(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
