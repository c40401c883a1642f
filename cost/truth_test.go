package cost_test

import (
	"strings"
	"testing"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
)

func TestRegionSelectsThePrice(t *testing.T) {
	t.Parallel()
	override := []byte(`
models:
  - name: bedrock:amazon.nova-lite-v1:0
    family: nova
    context_window: 300000
    max_output: 5000
    input: 0.06
    output: 0.24
    regional:
      - region: eu-west-1
        input: 0.078
        output: 0.312
        effective: "2026-11-01"
        source: "our eu-west-1 bill"
        verified: true
    effective: "2026-11-25"
    source: "test"
`)
	def := MustAt(t, "2026-12-01", cost.Config{})
	withEU := MustAt(t, "2026-12-01", cost.Config{Overrides: [][]byte{override}})
	euDefault := MustAt(t, "2026-12-01", cost.Config{Overrides: [][]byte{override}, Region: "eu-west-1"})
	const euARN = "bedrock:arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0"
	tests := []struct {
		name      string
		cat       *cost.Catalogue
		model     string
		wantIn    float64
		wantNote  bool
		wantRegio string
	}{
		{"us-east-1 by default", def, "bedrock:amazon.nova-lite-v1:0", 0.06, false, "us-east-1"},
		{"eu ARN without an eu price: flagged", def, euARN, 0.06, true, "eu-west-1"},
		{"eu ARN with an eu price", withEU, euARN, 0.078, false, "eu-west-1"},
		{"configured region selects it", euDefault, "bedrock:eu.amazon.nova-lite-v1:0", 0.078, false, "eu-west-1"},
		{"an ARN's region wins over the configured one", euDefault, "bedrock:arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", 0.06, false, "us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := tt.cat.Lookup(tt.model)
			if err != nil {
				t.Fatal(err)
			}
			if !near(e.Input, tt.wantIn) || e.BilledRegion != tt.wantRegio || (e.RegionNote() != "") != tt.wantNote {
				t.Fatalf("input %v billed in %q note %q; want %v in %s, note %v", e.Input, e.BilledRegion, e.RegionNote(), tt.wantIn, tt.wantRegio, tt.wantNote)
			}
			if tt.wantIn == 0.078 && (!e.Verified || e.Source != "our eu-west-1 bill") {
				t.Errorf("regional price lost its provenance: verified %v source %q", e.Verified, e.Source)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date, model, state string
		wantIn             float64
		mentions           []string
	}{
		{"2025-11-01", sonnet35, cost.StateLegacy, 3, []string{"legacy", "2026-03-01", "from 2025-12-01 it costs 6/30"}},
		{"2026-01-15", sonnet35, cost.StateExtendedAccess, 6, []string{"extended access since 2025-12-01", "6/30", "2026-03-01"}},
		{"2026-12-01", sonnet35, cost.StateEndOfLife, 6, []string{"end of life", "2026-03-01", "calls fail"}},
		{"2026-12-01", "bedrock:anthropic.claude-3-7-sonnet-20250219-v1:0", cost.StateEndOfLife, 3, []string{"2026-04-28"}},
		{"2026-12-01", haiku35, cost.StateActive, 0.8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.model, func(t *testing.T) {
			t.Parallel()
			c := MustAt(t, tt.date, cost.Config{})
			e, err := c.Lookup(tt.model)
			if err != nil {
				t.Fatal(err)
			}
			now, err := timeParse(tt.date)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.State(now); got != tt.state || !near(e.Input, tt.wantIn) {
				t.Fatalf("state %q input %v, want %q at %v", got, e.Input, tt.state, tt.wantIn)
			}
			w := e.LifecycleWarning(now)
			if (w == "") != (len(tt.mentions) == 0) {
				t.Fatalf("warning %q", w)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(w, m) {
					t.Errorf("warning %q lacks %q", w, m)
				}
			}
		})
	}
}

func TestGuardrailCharges(t *testing.T) {
	t.Parallel()
	plain := MustAt(t, "2026-12-01", cost.Config{})
	guarded := MustAt(t, "2026-12-01", cost.Config{Guardrail: &cost.DefaultGuardrailPolicies})

	// A call's trace-reported units are charged whatever is configured.
	u := ticketsum.Usage{Guardrail: ticketsum.GuardrailUnits{SensitiveInformation: 10, DeniedTopics: 10, WordFilters: 10, ContentFilters: 2}}
	got, err := plain.Cost(haiku35, u)
	if err != nil {
		t.Fatal(err)
	}
	if want := (10*0.10 + 10*0.15 + 2*0.15) / 1000; !near(got, want) {
		t.Fatalf("guardrail units cost %v, want %v", got, want)
	}
	if _, err := plain.Cost(haiku35, ticketsum.Usage{Guardrail: ticketsum.GuardrailUnits{DeniedTopics: -1}}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("negative units: %v, want EINVALID", err)
	}

	// Estimates (budget reservations) include the configured guardrail:
	// 2,000 input tokens are 8,000 characters (8 units), 512 output 2,048 (3).
	base, _ := plain.Estimate(haiku35, 2000, 512)
	with, _ := guarded.Estimate(haiku35, 2000, 512)
	if want := 11 * (0.10 + 0.15) / 1000; !near(with-base, want) {
		t.Fatalf("estimate with a guardrail adds %v, want %v", with-base, want)
	}
	if a, b := func() (float64, float64) {
		x, _ := plain.Estimate("openai:gpt-4o-mini", 2000, 512)
		y, _ := guarded.Estimate("openai:gpt-4o-mini", 2000, 512)
		return x, y
	}(); a != b {
		t.Errorf("a non-Bedrock model's estimate changed with a Bedrock guardrail: %v vs %v", a, b)
	}
	if got, want := guarded.GuardrailCost(9000, 1200), 11*(0.10+0.15)/1000; !near(got, want) {
		t.Errorf("GuardrailCost = %v, want %v", got, want)
	}
	if plain.GuardrailCost(9000, 1200) != 0 {
		t.Error("GuardrailCost without a configured guardrail is not 0")
	}
	if g := plain.GuardrailPrices(); g == nil || g.Verified || g.Source == "" || g.Region != "us-east-1" {
		t.Errorf("guardrail prices %+v: want them sourced, regional and unverified", g)
	}
}

func TestTextUnits(t *testing.T) {
	t.Parallel()
	for chars, want := range map[int]int{0: 0, 1: 1, 1000: 1, 1001: 2, 9000: 9} {
		if got := cost.TextUnits(chars); got != want {
			t.Errorf("TextUnits(%d) = %d, want %d", chars, got, want)
		}
	}
}

func timeParse(date string) (time.Time, error) { return time.Parse("2006-01-02", date) }
