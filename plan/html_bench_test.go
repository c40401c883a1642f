package plan_test

import (
	"io"
	"testing"

	"github.com/ticketsum/ticketsum/plan"
)

// BenchmarkWriteHTML prices four models at the chart's volumes and writes
// the page: what `ticketsum plan --html` does after measuring.
func BenchmarkWriteHTML(b *testing.B) {
	cfg := plan.Config{Catalogue: MustCatalogue(b), Models: []string{sonnet, "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock:amazon.nova-lite-v1:0", titan}}
	p := MustPlan(b, cfg, seed())
	b.ReportAllocs()
	for b.Loop() {
		curve, err := plan.CostCurve(cfg, p.Workload, plan.ChartVolumes(p))
		if err != nil {
			b.Fatal(err)
		}
		if err := plan.WriteHTML(io.Discard, p, curve); err != nil {
			b.Fatal(err)
		}
	}
}
