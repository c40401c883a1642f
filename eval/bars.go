package eval

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Bar is a quality bar: a metric of CellMetrics, by its JSON key, compared
// with a value, such as rougeL >= 30, pii_leaks <= 0 or
// format_compliance >= 100.
type Bar struct {
	Metric string  `json:"metric"`
	Op     string  `json:"op"`
	Value  float64 `json:"value"`
}

func (b Bar) String() string {
	return b.Metric + " " + b.Op + " " + strconv.FormatFloat(b.Value, 'g', -1, 64)
}

// BarResult is a bar checked against one configuration.
type BarResult struct {
	Bar
	// Actual is the measured value; nil when the metric was not measured.
	Actual *float64 `json:"actual"`
	Met    bool     `json:"met"`
	// NotApplicable says what the metric needs when it was not measured,
	// such as "needs references": the bar is then neither met nor missed,
	// and reported as "n/a (needs references)".
	NotApplicable string `json:"not_applicable,omitempty"`
	// Unmeasured says why a metric the run set out to measure has no value,
	// such as a judge that scored none of the summaries: the bar is then
	// missed, since nothing shows it met, and reported as "(not measured:
	// the judge scored none of the 50 summaries)".
	Unmeasured string `json:"unmeasured,omitempty"`
}

// String renders the result for a report: "rougeL >= 25 (got 21.4)",
// "rougeL >= 25: n/a (needs references)".
func (r BarResult) String() string {
	if r.NotApplicable != "" {
		return r.Bar.String() + ": n/a (" + r.NotApplicable + ")"
	}
	if r.Unmeasured != "" {
		return r.Bar.String() + " (not measured: " + r.Unmeasured + ")"
	}
	return r.Bar.String() + " (got " + fmtOpt(r.Actual, "%g") + ")"
}

// needs says what a metric that can go unmeasured needs, by metric prefix.
var needs = []struct{ prefix, need string }{
	{"rouge", "needs references"},
	{"status_accuracy", "needs status labels"},
	{"judge_", "needs a judge (--judge)"},
	{"robust_", "needs a robustness run (--robustness)"},
}

// needOf returns what an unmeasured metric needs.
func needOf(metric string) string {
	for _, n := range needs {
		if strings.HasPrefix(metric, n.prefix) {
			return n.need
		}
	}
	return "not measured"
}

// DefaultBars are the bars a run checks when none are given: every summary
// in the format (one paragraph, at most 60 words, a status), no personal
// data, no toxic language, and, when the dataset has status labels, 90%
// status accuracy; with robustness on, 90% status agreement under
// perturbation. They keep a configuration with unusable output from being
// recommended.
func DefaultBars(ds *Dataset, robustness bool) []Bar {
	bars := []Bar{
		{Metric: "format_compliance", Op: ">=", Value: 100},
		{Metric: "pii_leaks", Op: "<=", Value: 0},
		{Metric: "toxicity_rate", Op: "<=", Value: 0},
	}
	if ds != nil {
		for _, t := range ds.Tickets {
			if t.ExpectedStatus != "" {
				bars = append(bars, Bar{Metric: "status_accuracy", Op: ">=", Value: 90})
				break
			}
		}
	}
	if robustness {
		bars = append(bars, Bar{Metric: "robust_status_agreement", Op: ">=", Value: 90})
	}
	return bars
}

var barRE = regexp.MustCompile(`^\s*([A-Za-z0-9_]+)\s*(>=|<=|==|>|<)\s*(-?[0-9.]+)\s*%?\s*$`)

// ParseBar parses a bar such as "rougeL>=30", "pii_leaks<=0" or
// "format_compliance >= 100%". It returns EINVALID for bad syntax or a
// metric CellMetrics does not have.
func ParseBar(s string) (Bar, error) {
	m := barRE.FindStringSubmatch(s)
	if m == nil {
		return Bar{}, ticketsum.Errorf(ticketsum.EINVALID, "bar %q is not METRIC OP VALUE (e.g. rougeL>=30; ops >=, <=, ==, >, <)", s)
	}
	v, err := strconv.ParseFloat(m[3], 64)
	if err != nil {
		return Bar{}, ticketsum.Errorf(ticketsum.EINVALID, "bar %q: value %q is not a number", s, m[3])
	}
	b := Bar{Metric: m[1], Op: m[2], Value: v}
	return b, b.validate()
}

// ParseBars parses a comma-separated list of bars.
func ParseBars(s string) ([]Bar, error) {
	var out []Bar
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		b, err := ParseBar(part)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// MetricNames lists the metric keys bars can use.
func MetricNames() []string {
	var names []string
	for k := range metricMap(&CellMetrics{}) {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (b Bar) validate() error {
	switch b.Op {
	case ">=", "<=", "==", ">", "<":
	default:
		return ticketsum.Errorf(ticketsum.EINVALID, "bar %s: unknown operator %q", b.Metric, b.Op)
	}
	if _, ok := metricMap(&CellMetrics{})[b.Metric]; !ok {
		return ticketsum.Errorf(ticketsum.EINVALID, "bar: unknown metric %q (known: %s)", b.Metric, strings.Join(MetricNames(), ", "))
	}
	return nil
}

// metricMap returns the numeric metrics of m by JSON key; unmeasured
// (null) metrics map to nil.
func metricMap(m *CellMetrics) map[string]*float64 {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("eval: marshal metrics: %v", err))
	}
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	out := map[string]*float64{}
	for k, v := range raw {
		switch x := v.(type) {
		case float64:
			out[k] = &x
		case nil:
			out[k] = nil
		}
	}
	return out
}

// Check checks the bar against a configuration's metrics. A bar on a
// judge score is missed (BarResult.Unmeasured) when a judge was asked but
// scored none of the configuration's summaries; other unmeasured metrics
// make the bar not applicable.
func (b Bar) Check(m *CellMetrics) BarResult {
	res := BarResult{Bar: b, Actual: metricMap(m)[b.Metric]}
	if res.Actual == nil {
		if strings.HasPrefix(b.Metric, "judge_") && m.JudgeUnscored > 0 {
			res.Unmeasured = fmt.Sprintf("the judge scored none of the %d summaries", m.JudgeUnscored)
			return res
		}
		res.NotApplicable = needOf(b.Metric)
		return res
	}
	a := *res.Actual
	switch b.Op {
	case ">=":
		res.Met = a >= b.Value
	case "<=":
		res.Met = a <= b.Value
	case ">":
		res.Met = a > b.Value
	case "<":
		res.Met = a < b.Value
	case "==":
		res.Met = a == b.Value
	}
	return res
}
