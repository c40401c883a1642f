package plan_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/cost"
	"github.com/ticketsum/ticketsum/plan"
)

// catalogueAt is the embedded catalogue as of a date, with cfg's settings.
func catalogueAt(tb testing.TB, at time.Time, cfg cost.Config) *cost.Catalogue {
	tb.Helper()
	cfg.Clock = fixedClock{at}
	c, err := cost.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestEndOfLifeModelsAreNotRecommended(t *testing.T) {
	t.Parallel()
	cat := catalogueAt(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), cost.Config{})
	p := MustPlan(t, plan.Config{Catalogue: cat, Models: []string{sonnet, sonnet37}}, seed())
	for _, o := range p.Options {
		if o.Available && !strings.HasPrefix(o.Surface, plan.SageMaker) {
			t.Errorf("%s on %s is offered after its end of life", o.Model, o.Surface)
		}
	}
	if r := p.Recommendation; r.Model == sonnet || r.Model == sonnet37 {
		t.Errorf("recommended %s, which reached end of life", r.Model)
	}
	joined := strings.Join(p.Warnings, "\n")
	for _, want := range []string{sonnet + " reached end of life on Bedrock on 2026-03-01", sonnet37 + " reached end of life on Bedrock on 2026-04-28"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", joined, want)
		}
	}
}

func TestExtendedAccessPriceAndWarning(t *testing.T) {
	t.Parallel()
	cat := catalogueAt(t, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), cost.Config{})
	p := MustPlan(t, plan.Config{Catalogue: cat, Models: []string{sonnet}}, seed())
	if o := option(t, p, sonnet, plan.OnDemand); !near(o.WeeklyCostUSD, 144) {
		t.Fatalf("on-demand in extended access = %v, want $144 at 6/30", o.WeeklyCostUSD)
	}
	found := false
	for _, r := range p.Recommendation.Reasons {
		found = found || strings.HasPrefix(r, "warning: "+sonnet+" is legacy, in public extended access")
	}
	if !found {
		t.Errorf("the recommendation of a model in extended access carries no warning: %q", p.Recommendation.Reasons)
	}
}

func TestGuardrailIsPriced(t *testing.T) {
	t.Parallel()
	at := seedDate
	plain := catalogueAt(t, at, cost.Config{})
	guarded := catalogueAt(t, at, cost.Config{Guardrail: &cost.DefaultGuardrailPolicies})
	w := seed()
	w.StaticPromptTokens = 600
	w.BackfillTickets = 100
	a := MustPlan(t, plan.Config{Catalogue: plain, Models: []string{sonnet}}, w)
	b := MustPlan(t, plan.Config{Catalogue: guarded, Models: []string{sonnet}}, w)
	// The ticket's 1,400 tokens are 5,600 characters (6 units), the summary's
	// 200 are 800 (1 unit): 7 units each on denied topics (0.15) and
	// sensitive information (0.10) per 1,000 units; word filters are free.
	perTicket := 7 * (0.15 + 0.10) / 1000
	for _, surface := range []string{plan.OnDemand, plan.Batch} {
		if d := option(t, b, sonnet, surface).WeeklyCostUSD - option(t, a, sonnet, surface).WeeklyCostUSD; !near(d, 8000*perTicket) {
			t.Errorf("%s: the guardrail adds $%v a week, want $%v", surface, d, 8000*perTicket)
		}
	}
	if d := option(t, b, sonnet, plan.OnDemand).BackfillCostUSD - option(t, a, sonnet, plan.OnDemand).BackfillCostUSD; !near(d, 100*perTicket) {
		t.Errorf("the guardrail adds $%v to the backfill, want $%v", d, 100*perTicket)
	}
	if !strings.Contains(strings.Join(b.Warnings, "\n"), "guardrail") || strings.Contains(strings.Join(a.Warnings, "\n"), "guardrail") {
		t.Errorf("guardrail warning: with %q, without %q", b.Warnings, a.Warnings)
	}
}

func TestRegionWithoutPriceIsFlagged(t *testing.T) {
	t.Parallel()
	cat := catalogueAt(t, seedDate, cost.Config{Region: "eu-west-1"})
	p := MustPlan(t, plan.Config{Catalogue: cat, Models: []string{"bedrock:amazon.nova-lite-v1:0"}}, seed())
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "no eu-west-1 price") {
		t.Errorf("warnings %q do not say the eu-west-1 price is missing", p.Warnings)
	}
}

func TestCacheMinimumPerModel(t *testing.T) {
	t.Parallel()
	const haiku45 = "bedrock:anthropic.claude-haiku-4-5-20251001-v1:0"
	const sonnet4 = "bedrock:anthropic.claude-sonnet-4-20250514-v1:0"
	w := plan.Workload{TicketsPerWeek: 8000, InputTokens: 4000, OutputTokens: 200, StaticPromptTokens: 2000}
	p := MustPlan(t, plan.Config{Models: []string{sonnet4, haiku45}}, w)
	if o := option(t, p, sonnet4, plan.OnDemandCached); !o.Available {
		t.Errorf("2,000 static tokens not cached on Sonnet 4 (minimum 1,024): %+v", o)
	}
	if o := option(t, p, haiku45, plan.OnDemandCached); o.Available || !strings.Contains(o.Note, "4096-token cache minimum") {
		t.Errorf("2,000 static tokens cached on Haiku 4.5 (minimum 4,096): %+v", o)
	}
}
