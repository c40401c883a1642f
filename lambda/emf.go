package lambda

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/ticketsum/ticketsum"
)

// MetricsNamespace is the CloudWatch namespace of the handler's metrics.
const MetricsNamespace = "ticketsum"

// batchMetrics are the counts of one batch, written as one CloudWatch
// embedded metric format (EMF) line: CloudWatch Logs turns it into metrics
// without any API call from the function.
type batchMetrics struct {
	Messages   int
	Summarized int // summarised now or found up to date
	NotStarted int // left for the next delivery near the deadline
	Unreadable int // messages that name no ticket
	Failed     map[ticketsum.FailureClass]int
	Duration   time.Duration
}

// emfMetric names one metric of an EMF line.
type emfMetric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// emfWriter writes EMF lines; a nil one writes nothing.
type emfWriter struct {
	mu       sync.Mutex
	w        io.Writer
	function string
}

// write emits m as one line: metrics by function name, and the failures
// also by failure class.
func (e *emfWriter) write(now time.Time, m batchMetrics) error {
	if e == nil || e.w == nil {
		return nil
	}
	line := map[string]any{
		"FunctionName": e.function,
		"Messages":     m.Messages, "Summarized": m.Summarized, "NotStarted": m.NotStarted,
		"Unreadable": m.Unreadable, "BatchDuration": m.Duration.Milliseconds(),
	}
	counts := []emfMetric{{"Messages", "Count"}, {"Summarized", "Count"}, {"NotStarted", "Count"},
		{"Unreadable", "Count"}, {"BatchDuration", "Milliseconds"}}
	failed := 0
	for _, c := range []ticketsum.FailureClass{ticketsum.ClassRetryable, ticketsum.ClassConfig, ticketsum.ClassBadTicket, ticketsum.ClassPolicy} {
		failed += m.Failed[c]
	}
	line["Failed"] = failed
	counts = append(counts, emfMetric{"Failed", "Count"})
	directives := []map[string]any{{"Namespace": MetricsNamespace, "Dimensions": [][]string{{"FunctionName"}}, "Metrics": counts}}
	// The failures by class go in lines of their own, one per class, so
	// that a class is a dimension value and not a metric name.
	e.mu.Lock()
	defer e.mu.Unlock()
	enc := json.NewEncoder(e.w)
	line["_aws"] = map[string]any{"Timestamp": now.UnixMilli(), "CloudWatchMetrics": directives}
	if err := enc.Encode(line); err != nil {
		return err
	}
	for c, n := range m.Failed {
		if n == 0 {
			continue
		}
		if err := enc.Encode(map[string]any{
			"FunctionName": e.function, "FailureClass": string(c), "FailedTickets": n,
			"_aws": map[string]any{"Timestamp": now.UnixMilli(), "CloudWatchMetrics": []map[string]any{{
				"Namespace": MetricsNamespace, "Dimensions": [][]string{{"FunctionName", "FailureClass"}},
				"Metrics": []emfMetric{{"FailedTickets", "Count"}}}}},
		}); err != nil {
			return err
		}
	}
	return nil
}
