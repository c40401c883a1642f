package cost_test

import (
	"math"
	"strings"
	"testing"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
)

const (
	sonnet35 = "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0"
	haiku35  = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	novaPro  = "bedrock:amazon.nova-pro-v1:0"
	sonnet45 = "bedrock:anthropic.claude-sonnet-4-5-20250929-v1:0"
	sonnet4  = "bedrock:anthropic.claude-sonnet-4-20250514-v1:0"
)

// fixedClock is a Clock stopped at one instant.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// MustAt returns the embedded catalogue as of a date (YYYY-MM-DD).
func MustAt(tb testing.TB, date string, cfg cost.Config) *cost.Catalogue {
	tb.Helper()
	at, err := time.Parse("2006-01-02", date)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Clock = fixedClock{at}
	c, err := cost.New(cfg)
	if err != nil {
		tb.Fatalf("embedded catalogue: %v", err)
	}
	return c
}

// MustDefault returns the embedded catalogue or fails the test.
func MustDefault(tb testing.TB) *cost.Catalogue {
	tb.Helper()
	c, err := cost.Default()
	if err != nil {
		tb.Fatalf("embedded catalogue: %v", err)
	}
	return c
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }

// TestSeedExample reproduces the seed's hand calculation: 8,000 tickets a
// week at 2,000 input and 200 output tokens on Claude 3.5 Sonnet, at the
// price it had before its extended access began (2025-12-01).
func TestSeedExample(t *testing.T) {
	t.Parallel()
	c := MustAt(t, "2025-11-01", cost.Config{})
	e, err := c.Lookup(sonnet35)
	if err != nil {
		t.Fatal(err)
	}
	if e.Input != 3 || e.Output != 15 {
		t.Fatalf("catalogue prices for %s = %v/%v, the seed assumes 3/15", sonnet35, e.Input, e.Output)
	}
	week := ticketsum.Usage{InputTokens: 8000 * 2000, OutputTokens: 8000 * 200}
	in, _ := c.Cost(sonnet35, ticketsum.Usage{InputTokens: week.InputTokens})
	out, _ := c.Cost(sonnet35, ticketsum.Usage{OutputTokens: week.OutputTokens})
	total, err := c.Cost(sonnet35, week)
	if err != nil {
		t.Fatal(err)
	}
	if !near(in, 48) || !near(out, 24) || !near(total, 72) {
		t.Fatalf("seed week = $%v + $%v = $%v, want $48 + $24 = $72", in, out, total)
	}
	// In extended access the same week costs twice as much.
	later := MustAt(t, "2026-01-15", cost.Config{})
	if total, _ := later.Cost(sonnet35, week); !near(total, 144) {
		t.Fatalf("seed week in extended access = $%v, want $144 at 6/30", total)
	}
}

func TestCostCachePricing(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	tests := []struct {
		name  string
		model string
		usage ticketsum.Usage
		want  float64
	}{
		{"claude cache write at 1.25x", sonnet4, ticketsum.Usage{InputTokens: 1000, CacheWriteTokens: 1_000_000}, 0.003 + 3.75},
		{"claude cache read at 0.1x", sonnet4, ticketsum.Usage{InputTokens: 1000, CacheReadTokens: 1_000_000, OutputTokens: 100}, 0.003 + 0.30 + 0.0015},
		{"claude read and write apart", haiku35, ticketsum.Usage{CacheReadTokens: 2_000_000, CacheWriteTokens: 1_000_000}, 2*0.08 + 1.00},
		{"nova cache write is free, read 75% off", novaPro, ticketsum.Usage{CacheReadTokens: 1_000_000, CacheWriteTokens: 1_000_000}, 0.20},
		{"no cache tokens", novaPro, ticketsum.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}, 0.80 + 3.20},
		{"model without cache price charges cache at input price", "bedrock:meta.llama3-3-70b-instruct-v1:0", ticketsum.Usage{CacheReadTokens: 1_000_000}, 0.72},
		{"zero usage", sonnet35, ticketsum.Usage{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Cost(tt.model, tt.usage)
			if err != nil {
				t.Fatal(err)
			}
			if !near(got, tt.want) {
				t.Fatalf("Cost(%s, %+v) = %v, want %v", tt.model, tt.usage, got, tt.want)
			}
		})
	}
}

// TestCostNeverDoubleCounts checks that moving tokens from input to cache
// read lowers the cost (cache reads are not added into input) and that a
// negative count is rejected instead of giving a negative cost.
func TestCostNeverDoubleCounts(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	plain, _ := c.Cost(sonnet35, ticketsum.Usage{InputTokens: 10_000})
	cached, _ := c.Cost(sonnet35, ticketsum.Usage{InputTokens: 2_000, CacheReadTokens: 8_000})
	if cached >= plain {
		t.Fatalf("cached call costs %v, not less than uncached %v", cached, plain)
	}
	for _, u := range []ticketsum.Usage{{InputTokens: -1}, {OutputTokens: -5}, {CacheReadTokens: -10}, {CacheWriteTokens: -1}} {
		got, err := c.Cost(sonnet35, u)
		if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("Cost(%+v) = %v, %v; want EINVALID", u, got, err)
		}
	}
}

func TestLookupNames(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	tests := []struct {
		name, want, profile string
	}{
		{sonnet35, sonnet35, ""},
		{"bedrock:us.anthropic.claude-3-5-sonnet-20241022-v2:0", sonnet35, "us"},
		{"bedrock:eu.amazon.nova-pro-v1:0", novaPro, "eu"},
		{"bedrock:apac.amazon.nova-pro-v1:0", novaPro, "apac"},
		{"bedrock:global.anthropic.claude-sonnet-4-5-20250929-v1:0", sonnet45, "global"},
		{"bedrock:us-gov.anthropic.claude-3-5-haiku-20241022-v1:0", haiku35, "us-gov"},
		{"bedrock:arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0", novaPro, ""},
		{"bedrock:arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0", haiku35, "us"},
		{"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0", novaPro, "eu"},
		{"amazon.nova-pro-v1:0", novaPro, ""},
		{"  " + novaPro + " ", novaPro, ""},
		{"openai:llama3.1:8b", "openai:*", ""},
		{"sagemaker:my-endpoint", "sagemaker:*", ""},
		{"builtin", "builtin", ""},
		{"builtin:extractive", "builtin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := c.Lookup(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if e.Name != tt.want || e.Profile != tt.profile {
				t.Fatalf("Lookup(%q) = %q profile %q, want %q profile %q", tt.name, e.Name, e.Profile, tt.want, tt.profile)
			}
		})
	}
}

// TestLookupRegionalUplift checks the ~10% gap between global and regional
// profiles of the models priced that way, and its absence elsewhere.
func TestLookupRegionalUplift(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	global, _ := c.Lookup("bedrock:global.anthropic.claude-sonnet-4-5-20250929-v1:0")
	us, _ := c.Lookup("bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0")
	if !near(global.Input, 3) || !near(us.Input, 3.3) || !near(us.Output, 16.5) || !near(*us.CacheRead, 0.33) {
		t.Fatalf("sonnet 4.5 global input %v, us input %v output %v cache read %v; want 3, 3.3, 16.5, 0.33", global.Input, us.Input, us.Output, *us.CacheRead)
	}
	again, _ := c.Lookup("bedrock:global.anthropic.claude-sonnet-4-5-20250929-v1:0")
	if !near(again.Input, 3) {
		t.Fatalf("lookup changed the stored entry: global input now %v", again.Input)
	}
	plain, _ := c.Lookup("bedrock:us.anthropic.claude-sonnet-4-20250514-v1:0")
	if !near(plain.Input, 3) {
		t.Fatalf("claude sonnet 4 via us. = %v, want 3 (no uplift)", plain.Input)
	}
}

func TestLookupErrors(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	tests := []struct {
		name, code, mention string
	}{
		{"bedrock:anthropic.claude-9-unknown-v1:0", string(ticketsum.ENOTFOUND), "not in the catalogue"},
		{"bedrock:xx.amazon.nova-pro-v1:0", string(ticketsum.ENOTFOUND), "not in the catalogue"},
		{"bedrock:arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3", string(ticketsum.ENOTFOUND), "alias"},
		{"bedrock:arn:aws:bedrock", string(ticketsum.EINVALID), "not a valid ARN"},
		{"vertex:gemini", string(ticketsum.ENOTFOUND), "not in the catalogue"},
		{"", string(ticketsum.ENOTFOUND), "not in the catalogue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Lookup(tt.name)
			if string(ticketsum.ErrorCodeOf(err)) != tt.code || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("Lookup(%q) error = %v, want code %s mentioning %q", tt.name, err, tt.code, tt.mention)
			}
			if _, err := c.Cost(tt.name, ticketsum.Usage{InputTokens: 1}); err == nil {
				t.Fatalf("Cost(%q) succeeded for an unknown model", tt.name)
			}
		})
	}
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	got, err := c.Estimate(sonnet4, 2000, 512)
	if err != nil {
		t.Fatal(err)
	}
	if want := (2000*3.0 + 512*15.0) / 1e6; !near(got, want) {
		t.Fatalf("Estimate = %v, want %v", got, want)
	}
	if _, err := c.Estimate(sonnet4, -1, 10); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("Estimate with negative input: %v, want EINVALID", err)
	}
}

// TestEmbeddedCatalogue checks the invariants of the shipped data: the
// models the issue names are there, caching models have cache prices, and
// nothing is marked verified that came from the unverified reference.
func TestEmbeddedCatalogue(t *testing.T) {
	t.Parallel()
	c := MustDefault(t)
	for _, name := range []string{sonnet35, haiku35, sonnet45, novaPro,
		"bedrock:anthropic.claude-3-7-sonnet-20250219-v1:0", "bedrock:anthropic.claude-sonnet-4-20250514-v1:0",
		"bedrock:amazon.nova-micro-v1:0", "bedrock:amazon.nova-lite-v1:0",
		"bedrock:meta.llama3-3-70b-instruct-v1:0", "bedrock:meta.llama3-1-8b-instruct-v1:0",
		"bedrock:mistral.mistral-large-2407-v1:0", "bedrock:amazon.titan-text-express-v1",
		"builtin", "openai:*", "sagemaker:*"} {
		if _, err := c.Lookup(name); err != nil {
			t.Errorf("embedded catalogue misses %s: %v", name, err)
		}
	}
	for _, e := range c.Models() {
		if e.PromptCaching && (e.CacheRead == nil || e.CacheWrite == nil) {
			t.Errorf("%s supports caching but has no cache prices", e.Name)
		}
		if e.Verified && e.Family != "builtin" {
			t.Errorf("%s is marked verified, but its figures come from the unverified reference", e.Name)
		}
		if e.ContextWindow <= 0 || e.MaxOutput <= 0 {
			t.Errorf("%s has no context window or max output", e.Name)
		}
		if e.PromptCaching && e.CacheMinTokens < 1000 {
			t.Errorf("%s supports caching with a minimum of %d tokens, under every documented minimum", e.Name, e.CacheMinTokens)
		}
		if e.Region == "" || e.Effective == "" || e.Source == "" {
			t.Errorf("%s lacks a region, effective date or source", e.Name)
		}
	}
	if len(c.Instances()) == 0 {
		t.Error("embedded catalogue has no SageMaker instance prices")
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	override := []byte(`
models:
  - name: bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0
    aliases: ["bedrock:arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3"]
    family: claude
    context_window: 200000
    max_output: 8192
    input: 6.00
    output: 30.00
    effective: "2026-01-01"
    source: "our AWS bill"
    verified: true
  - name: openai:llama3.1:8b
    family: llama
    context_window: 128000
    max_output: 2048
    input: 0.01
    output: 0.02
    effective: "2026-01-01"
    source: "our GPU cost"
instances:
  - type: ml.g5.xlarge
    usd_per_hour: 2
    output_tokens_per_second: 100
    source: "ours"
`)
	c, err := cost.New(cost.Config{Overrides: [][]byte{override}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := c.Lookup("bedrock:arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3")
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != sonnet35 || e.Input != 6 || e.PromptCaching {
		t.Fatalf("override entry = %+v, want the replaced Sonnet at $6 without caching", e)
	}
	if e, _ := c.Lookup("openai:llama3.1:8b"); e.Input != 0.01 {
		t.Fatalf("specific openai entry not preferred over openai:*: %+v", e)
	}
	if e, _ := c.Lookup("openai:other"); e.Name != "openai:*" {
		t.Fatalf("openai:other = %s, want openai:*", e.Name)
	}
	def := MustDefault(t)
	if _, err := cost.New(cost.Config{Overrides: [][]byte{[]byte("models:\n  - name: builtin:*\n    effective: e\n    source: s\n")}}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("an entry named like another entry's alias: %v, want EINVALID", err)
	}
	if len(c.Models()) != len(def.Models())+1 {
		t.Fatalf("override has %d models, want %d (one replaced, one added)", len(c.Models()), len(def.Models())+1)
	}
	for _, in := range c.Instances() {
		if in.Type == "ml.g5.xlarge" && in.USDPerHour != 2 {
			t.Fatalf("instance not replaced: %+v", in)
		}
	}
}

func TestNewRejectsBadFiles(t *testing.T) {
	t.Parallel()
	entry := func(extra string) []byte {
		return []byte("models:\n  - name: bedrock:x.y-v1:0\n    family: x\n    effective: \"2026-01-01\"\n    source: s\n" + extra)
	}
	tests := []struct {
		name    string
		data    []byte
		mention string
	}{
		{"not yaml", []byte("models: [:"), "parse"},
		{"unknown field", entry("    inptu: 3\n"), "inptu"},
		{"negative price", entry("    input: -1\n"), "negative price"},
		{"caching without prices", entry("    prompt_caching: true\n"), "no cache_read"},
		{"batch discount too big", entry("    batch_discount: 1.5\n"), "batch_discount"},
		{"no source", []byte("models:\n  - name: bedrock:x\n    effective: \"2026-01-01\"\n"), "source"},
		{"no provider", []byte("models:\n  - name: x\n    effective: e\n    source: s\n"), "provider:model-id"},
		{"duplicate", append(entry(""), entry("")[8:]...), "twice"},
		{"bad instance", []byte("instances:\n  - type: ml.x\n"), "instance"},
		{"caching without a minimum", entry("    prompt_caching: true\n    cache_read: 1\n    cache_write: 1\n"), "cache_min_tokens"},
		{"lifecycle without eol", entry("    lifecycle:\n      source: s\n"), "eol"},
		{"lifecycle bad date", entry("    lifecycle:\n      eol: \"2026-13-01\"\n      source: s\n"), "eol"},
		{"regional without source", entry("    regional:\n      - region: eu-west-1\n        input: 1\n        effective: e\n"), "source"},
		{"guardrail without region", []byte("guardrail:\n  content_filters: 0.15\n  effective: e\n  source: s\n"), "region"},
		{"alias taken", []byte("models:\n  - name: bedrock:a\n    aliases: [\"bedrock:b\"]\n    effective: e\n    source: s\n  - name: bedrock:c\n    aliases: [\"bedrock:b\"]\n    effective: e\n    source: s\n"), "already"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := cost.New(cost.Config{NoEmbedded: true, Overrides: [][]byte{tt.data}})
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("New(%s) error = %v, want EINVALID mentioning %q", tt.name, err, tt.mention)
			}
		})
	}
}
