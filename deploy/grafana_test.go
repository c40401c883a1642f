package deploy

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/metrics"
	"github.com/ticketsum/ticketsum/queue"
)

const dashboardPath = "grafana/ticketsum.json"

// grafanaPanel is the part of a Grafana panel the test reads.
type grafanaPanel struct {
	Title   string         `json:"title"`
	Type    string         `json:"type"`
	Panels  []grafanaPanel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// queueSource is a fake metrics.QueueSource with one job of each kind.
type queueSource struct{}

func (queueSource) Stats(context.Context) (queue.Stats, error) {
	return queue.Stats{Available: 1, Running: 1, Waiting: 1, OldestAge: time.Second}, nil
}

func (queueSource) Outcomes() queue.Outcomes {
	return queue.Outcomes{Completed: 1, Failed: 1, FailedBy: map[queue.FailureKind]int64{{Class: ticketsum.ClassPolicy, Code: ticketsum.EBLOCKED}: 1}}
}

// registeredSeries returns the series the metrics package registers, with
// their label names, once every series has a sample.
func registeredSeries(t *testing.T) map[string]map[string]bool {
	t.Helper()
	m, err := metrics.New(metrics.Config{Queue: queueSource{}})
	if err != nil {
		t.Fatal(err)
	}
	m.Attempt("bedrock:m", "", time.Second)
	m.Attempt("bedrock:m", ticketsum.ETHROTTLED, time.Second)
	m.Usage("bedrock:m", ticketsum.Usage{InputTokens: 1, OutputTokens: 1}, 0.01)
	m.Fallback("bedrock:m", "bedrock:n")
	m.Concurrency("bedrock:m", 4)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]map[string]bool{}
	add := func(name string, labels map[string]bool) { series[name] = labels }
	for _, f := range families {
		labels := map[string]bool{}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = true
			}
		}
		add(f.GetName(), labels)
		if f.GetType().String() == "HISTOGRAM" {
			withLe := map[string]bool{"le": true}
			for l := range labels {
				withLe[l] = true
			}
			add(f.GetName()+"_bucket", withLe)
			add(f.GetName()+"_sum", labels)
			add(f.GetName()+"_count", labels)
		}
	}
	return series
}

var (
	seriesName = regexp.MustCompile(`\b[a-z_][a-z0-9_]*\b`)
	byClause   = regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`)
	matchers   = regexp.MustCompile(`\{([^}]*)\}`)
	matcher    = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
)

// TestDashboardQueriesRegisteredMetrics checks that every expression of
// the Grafana dashboard names only series the metrics package registers,
// and groups and filters only by labels those series have: a renamed
// metric or label cannot leave a panel silently empty.
func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string         `json:"title"`
		UID    string         `json:"uid"`
		Panels []grafanaPanel `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s is not JSON: %v", dashboardPath, err)
	}
	series := registeredSeries(t)
	var exprs, rows []string
	var walk func(ps []grafanaPanel)
	walk = func(ps []grafanaPanel) {
		for _, p := range ps {
			if p.Type == "row" {
				rows = append(rows, p.Title)
			} else if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(dash.Panels)
	for _, want := range []string{"Throughput", "Latency", "Failures", "Cost", "Quota use", "Queue"} {
		if !strings.Contains(strings.Join(rows, "|"), want) {
			t.Errorf("no %q row; rows: %v", want, rows)
		}
	}
	seen := map[string]bool{}
	for _, e := range exprs {
		labels := map[string]bool{}
		var names []string
		// Strings and range selectors hold no series names.
		bare := regexp.MustCompile(`"[^"]*"|\[[^\]]*\]`).ReplaceAllString(e, `""`)
		for _, n := range seriesName.FindAllString(bare, -1) {
			if strings.HasPrefix(n, "ticketsum_") {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			t.Errorf("expression names no ticketsum series: %s", e)
		}
		for _, n := range names {
			ls, ok := series[n]
			if !ok {
				t.Errorf("expression names %s, which the metrics package does not register: %s", n, e)
				continue
			}
			seen[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")] = true
			for l := range ls {
				labels[l] = true
			}
		}
		var used []string
		for _, m := range byClause.FindAllStringSubmatch(e, -1) {
			for _, l := range strings.Split(m[1], ",") {
				if l = strings.TrimSpace(l); l != "" {
					used = append(used, l)
				}
			}
		}
		for _, m := range matchers.FindAllStringSubmatch(e, -1) {
			for _, l := range matcher.FindAllStringSubmatch(m[1], -1) {
				used = append(used, l[1])
			}
		}
		for _, l := range used {
			if !labels[l] {
				t.Errorf("expression uses label %q, which its series do not have: %s", l, e)
			}
		}
	}
	for _, want := range []string{"ticketsum_queue_job_runs_total", "ticketsum_model_call_duration_seconds", "ticketsum_ticket_failures_total",
		"ticketsum_model_cost_usd_total", "ticketsum_model_throttles_total", "ticketsum_queue_jobs"} {
		if !seen[want] {
			t.Errorf("the dashboard does not chart %s", want)
		}
	}
}
