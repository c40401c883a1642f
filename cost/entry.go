package cost

import (
	"math"

	ticketsum "github.com/ticketsum/ticketsum"
)

// perMillion converts a token count and a USD-per-million price to USD.
const perMillion = 1e6

// Entry is one model of the catalogue. Prices are USD per million tokens.
type Entry struct {
	// Name is "provider:model-id", or "provider:*" for an entry that prices
	// every model of a provider that has no entry of its own.
	Name string `yaml:"name" json:"name"`
	// Aliases are other names priced as this entry, such as application
	// inference profile ARNs, which do not name their base model.
	Aliases []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	// Family is the model family: claude, nova, llama, mistral, titan, ...
	Family string `yaml:"family" json:"family"`
	// ContextWindow is the number of tokens the model accepts.
	ContextWindow int `yaml:"context_window" json:"context_window"`
	// MaxOutput is the largest max_tokens the model accepts.
	MaxOutput int `yaml:"max_output" json:"max_output"`
	// PromptCaching reports whether the model supports a cache point.
	PromptCaching bool `yaml:"prompt_caching,omitempty" json:"prompt_caching"`
	// CacheMinTokens is the fewest tokens the prompt before a cache point
	// must hold for Bedrock to cache it (shorter prefixes are silently not
	// cached). Required with PromptCaching.
	CacheMinTokens int `yaml:"cache_min_tokens,omitempty" json:"cache_min_tokens,omitempty"`
	// Input and Output are the on-demand prices.
	Input  float64 `yaml:"input" json:"input_usd_per_mtok"`
	Output float64 `yaml:"output" json:"output_usd_per_mtok"`
	// CacheRead and CacheWrite price cached prompt tokens; nil means the
	// catalogue has no price, and such tokens are then charged at Input so
	// that they are never free by omission.
	CacheRead  *float64 `yaml:"cache_read,omitempty" json:"cache_read_usd_per_mtok,omitempty"`
	CacheWrite *float64 `yaml:"cache_write,omitempty" json:"cache_write_usd_per_mtok,omitempty"`
	// BatchDiscount is the fraction taken off on-demand prices for batch
	// inference; 0 means the model has no batch price in the catalogue.
	BatchDiscount float64 `yaml:"batch_discount,omitempty" json:"batch_discount,omitempty"`
	// RegionalUplift is the fraction added to the prices for regional and
	// geographic profiles (us., eu., ...) and base IDs over the global.
	// profile price, for models priced that way.
	RegionalUplift float64 `yaml:"regional_uplift,omitempty" json:"regional_uplift,omitempty"`
	// OutputQuotaWeight is how many tokens of the tokens-per-minute quota
	// one output token burns; 0 means 1.
	OutputQuotaWeight float64 `yaml:"output_quota_weight,omitempty" json:"output_quota_weight,omitempty"`
	// Provisioned holds provisioned-throughput prices, nil when unknown.
	Provisioned *Provisioned `yaml:"provisioned,omitempty" json:"provisioned,omitempty"`
	// Region is the AWS region the prices are for. Default DefaultRegion.
	Region string `yaml:"region,omitempty" json:"region"`
	// Regional holds the model's prices in other regions, where known.
	Regional []RegionalPrice `yaml:"regional,omitempty" json:"regional,omitempty"`
	// Lifecycle is set for a legacy model: its end-of-life date and
	// extended-access price. Default nil: active.
	Lifecycle *Lifecycle `yaml:"lifecycle,omitempty" json:"lifecycle,omitempty"`
	// Effective is the date (YYYY-MM-DD) the prices apply from.
	Effective string `yaml:"effective" json:"effective"`
	// Source says where the figures come from.
	Source string `yaml:"source" json:"source"`
	// Confidence is the reference's tag for unverified figures: F (consistent
	// third-party copies) or M (memory, disagreeing blogs).
	Confidence string `yaml:"confidence,omitempty" json:"confidence,omitempty"`
	// Verified is true only for prices checked against the official list.
	Verified bool `yaml:"verified" json:"verified"`

	// Profile is the inference-profile prefix the looked-up name carried
	// ("us", "global", ...), empty for a base model ID. Set by Lookup.
	Profile string `yaml:"-" json:"profile,omitempty"`
	// BilledRegion is the region the call is billed in: the region of an
	// ARN, else the catalogue's configured region. Set by Lookup for
	// Bedrock models; RegionNote tells when the prices are another region's.
	BilledRegion string `yaml:"-" json:"billed_region,omitempty"`
	// Guardrail prices the guardrail text units of a usage in Cost. Set by
	// Lookup from the catalogue's guardrail prices.
	Guardrail *GuardrailPrices `yaml:"-" json:"-"`
}

// Provisioned is the provisioned-throughput price of a model: USD per
// model-unit hour for each commitment term (0 when the term is not offered or
// its price is unknown) and, when known, the tokens per minute one model unit
// serves.
type Provisioned struct {
	NoCommitment        float64 `yaml:"no_commitment,omitempty" json:"no_commitment_usd_per_unit_hour,omitempty"`
	OneMonth            float64 `yaml:"one_month,omitempty" json:"one_month_usd_per_unit_hour,omitempty"`
	SixMonth            float64 `yaml:"six_month,omitempty" json:"six_month_usd_per_unit_hour,omitempty"`
	TokensPerMinPerUnit int     `yaml:"tokens_per_minute_per_unit,omitempty" json:"tokens_per_minute_per_unit,omitempty"`
}

// Instance is a SageMaker real-time endpoint instance type: its on-demand
// hourly price and a rough output throughput, for sizing an endpoint.
type Instance struct {
	Type                  string  `yaml:"type" json:"type"`
	USDPerHour            float64 `yaml:"usd_per_hour" json:"usd_per_hour"`
	OutputTokensPerSecond float64 `yaml:"output_tokens_per_second" json:"output_tokens_per_second"`
	Source                string  `yaml:"source" json:"source"`
}

// CacheReadPrice returns the cache-read price, Input when none is recorded.
func (e *Entry) CacheReadPrice() float64 {
	if e.CacheRead != nil {
		return *e.CacheRead
	}
	return e.Input
}

// CacheWritePrice returns the cache-write price, Input when none is recorded.
func (e *Entry) CacheWritePrice() float64 {
	if e.CacheWrite != nil {
		return *e.CacheWrite
	}
	return e.Input
}

// QuotaWeight returns OutputQuotaWeight, 1 when unset.
func (e *Entry) QuotaWeight() float64 {
	if e.OutputQuotaWeight <= 0 {
		return 1
	}
	return e.OutputQuotaWeight
}

// Cost prices usage at the entry's on-demand prices. Input, output, cache
// reads and cache writes are priced apart; InputTokens excludes cached
// tokens (see ticketsum.Usage), so nothing is counted twice; Bedrock
// Guardrail text units are added at the Guardrail prices. It returns
// EINVALID for a negative count.
func (e *Entry) Cost(u ticketsum.Usage) (float64, error) {
	g := u.Guardrail
	if g.ContentFilters < 0 || g.DeniedTopics < 0 || g.SensitiveInformation < 0 || g.ContextualGrounding < 0 || g.WordFilters < 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "usage for %s has a negative guardrail text-unit count", e.Name)
	}
	if u.InputTokens < 0 || u.OutputTokens < 0 || u.CacheReadTokens < 0 || u.CacheWriteTokens < 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "usage for %s has a negative token count (input %d, output %d, cache read %d, cache write %d)",
			e.Name, u.InputTokens, u.OutputTokens, u.CacheReadTokens, u.CacheWriteTokens)
	}
	usd := float64(u.InputTokens)*e.Input +
		float64(u.OutputTokens)*e.Output +
		float64(u.CacheReadTokens)*e.CacheReadPrice() +
		float64(u.CacheWriteTokens)*e.CacheWritePrice()
	return usd/perMillion + e.Guardrail.Cost(g), nil
}

// BatchCost prices usage at the batch price. It returns EINVALID when the
// model has no batch price or a count is negative.
func (e *Entry) BatchCost(u ticketsum.Usage) (float64, error) {
	if e.BatchDiscount <= 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "model %s has no batch price in the catalogue", e.Name)
	}
	usd, err := e.Cost(u)
	return usd * (1 - e.BatchDiscount), err
}

// uplifted returns a copy of e with every token price raised by f, rounded
// to a millionth of a dollar so that 3 x 1.1 reads 3.3.
func (e Entry) uplifted(f float64) Entry {
	m := 1 + f
	e.Input = roundPrice(e.Input * m)
	e.Output = roundPrice(e.Output * m)
	if e.CacheRead != nil {
		v := roundPrice(*e.CacheRead * m)
		e.CacheRead = &v
	}
	if e.CacheWrite != nil {
		v := roundPrice(*e.CacheWrite * m)
		e.CacheWrite = &v
	}
	return e
}

// roundPrice rounds a USD-per-million price to a millionth of a dollar.
func roundPrice(v float64) float64 { return math.Round(v*1e6) / 1e6 }
