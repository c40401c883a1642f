package plan_test

import (
	"fmt"
	"strings"

	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/plan"
)

// Price the seed's workload on Claude Sonnet 4 (the seed's Claude 3.5
// Sonnet has reached end of life on Bedrock) and read the on-demand figures
// and the recommendation.
func Example() {
	cat, err := cost.Default()
	if err != nil {
		panic(err)
	}
	p, err := plan.Make(plan.Config{
		Catalogue: cat,
		Models:    []string{"bedrock:anthropic.claude-sonnet-4-20250514-v1:0"},
		Quotas:    map[string]plan.Quota{"*": {RequestsPerMinute: 50, TokensPerMinute: 400_000}},
	}, plan.Workload{TicketsPerWeek: 8000, InputTokens: 2000, OutputTokens: 200})
	if err != nil {
		panic(err)
	}
	od := p.Options[0]
	fmt.Printf("%s: %.0fM input + %.1fM output tokens = $%.2f a week\n", od.Surface, od.WeeklyInputTokens/1e6, od.WeeklyOutputTokens/1e6, od.WeeklyCostUSD)
	fmt.Printf("recommended: %s, quota %s\n", p.Recommendation.Surface, p.Quotas[0].Status)
	// Output:
	// on-demand: 16M input + 1.6M output tokens = $72.00 a week
	// recommended: on-demand, quota ok
}

// Write the seed's plan as a self-contained HTML page with the chart of
// weekly cost against volume for each surface (drawn by the inline chart
// scripts when the page opens).
func ExampleWriteHTML() {
	cat, err := cost.Default()
	if err != nil {
		panic(err)
	}
	cfg := plan.Config{Catalogue: cat, Models: []string{"bedrock:anthropic.claude-sonnet-4-20250514-v1:0"}}
	w := plan.Workload{TicketsPerWeek: 8000, InputTokens: 2000, OutputTokens: 200}
	p, err := plan.Make(cfg, w)
	if err != nil {
		panic(err)
	}
	curve, err := plan.CostCurve(cfg, w, plan.ChartVolumes(p))
	if err != nil {
		panic(err)
	}
	var page strings.Builder
	if err := plan.WriteHTML(&page, p, curve); err != nil {
		panic(err)
	}
	fmt.Println("charts:", strings.Count(page.String(), `class="ts-chart-figure"`))
	fmt.Println("current volume marked:", strings.Contains(page.String(), `"name":"now: 8000 a week"`))
	// Output:
	// charts: 1
	// current volume marked: true
}
