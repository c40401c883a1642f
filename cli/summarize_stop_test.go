package cli

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSummarizeStopsWhenEveryCallFails: a model that fails every ticket
// the same way (here it answers with no text, a configuration problem)
// cost summarize a paid call and its repair for every ticket of the file,
// and a model server that hangs cost minutes a ticket. summarize now stops
// after --stop-after tickets in a row failed for the same class, says so
// and what to do, and exits 1; --stop-after 0 still tries every ticket.
func TestSummarizeStopsWhenEveryCallFails(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	upstream := noChoicesUpstream(t, &calls)
	cfg := openAIConfig(t, upstream.URL)
	ctx := context.Background()
	one := strings.ReplaceAll(goodTicket, "\n", "")
	var in strings.Builder
	for i := range 20 {
		in.WriteString(strings.Replace(one, `"T-1"`, `"T-`+string(rune('a'+i))+`"`, 1) + "\n")
	}
	r := run(t, ctx, in.String(), "summarize", "--parallel", "1", "--config", cfg, "-")
	if r.code != exitFailure || !strings.Contains(r.stderr, "stopped after 5 tickets in a row failed (config") ||
		!strings.Contains(r.stderr, "--stop-after 0") || strings.Count(r.stderr, ": ticket \"T-") > 7 {
		t.Errorf("summarize: %+v; want it stopped after 5 failed tickets, naming the fix", r)
	}
	if n := calls.Load(); n > 14 {
		t.Errorf("the model was called %d times; want at most 14 (5 tickets and their repairs, two more started)", n)
	}
	calls.Store(0)
	r = run(t, ctx, in.String(), "summarize", "--parallel", "2", "--stop-after", "0", "--config", cfg, "-")
	if r.code != exitFailure || strings.Count(r.stderr, ": ticket \"T-") != 20 || strings.Contains(r.stderr, "stopped after") {
		t.Errorf("summarize --stop-after 0: %+v; want all 20 tickets tried", r)
	}
	if r := run(t, ctx, "", "summarize", "--stop-after", "-1", "--config", cfg, "-"); r.code != exitUsage || !strings.Contains(r.stderr, "--stop-after") {
		t.Errorf("--stop-after -1: %+v; want a usage error", r)
	}
}
