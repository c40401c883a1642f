package cost

import (
	ticketsum "github.com/ticketsum/ticketsum"
)

// charsPerTextUnit is the size of a Bedrock Guardrail text unit.
const charsPerTextUnit = 1000

// GuardrailPrices are the Bedrock Guardrails prices: USD per 1,000 text
// units (a text unit is up to 1,000 characters of one assessed text),
// charged per policy the guardrail applies, on the input and on the output.
type GuardrailPrices struct {
	ContentFilters       float64 `yaml:"content_filters" json:"content_filters_usd_per_1k_units"`
	DeniedTopics         float64 `yaml:"denied_topics" json:"denied_topics_usd_per_1k_units"`
	SensitiveInformation float64 `yaml:"sensitive_information" json:"sensitive_information_usd_per_1k_units"`
	ContextualGrounding  float64 `yaml:"contextual_grounding" json:"contextual_grounding_usd_per_1k_units"`
	WordFilters          float64 `yaml:"word_filters" json:"word_filters_usd_per_1k_units"`
	// Region, Effective, Source, Confidence and Verified say where the
	// prices come from, as on Entry.
	Region     string `yaml:"region" json:"region"`
	Effective  string `yaml:"effective" json:"effective"`
	Source     string `yaml:"source" json:"source"`
	Confidence string `yaml:"confidence,omitempty" json:"confidence,omitempty"`
	Verified   bool   `yaml:"verified" json:"verified"`
}

// Cost prices text units: each policy's units at its price.
func (g *GuardrailPrices) Cost(u ticketsum.GuardrailUnits) float64 {
	if g == nil {
		return 0
	}
	return (float64(u.ContentFilters)*g.ContentFilters + float64(u.DeniedTopics)*g.DeniedTopics +
		float64(u.SensitiveInformation)*g.SensitiveInformation + float64(u.ContextualGrounding)*g.ContextualGrounding +
		float64(u.WordFilters)*g.WordFilters) / 1000
}

func (g *GuardrailPrices) validate() error {
	switch {
	case g.ContentFilters < 0 || g.DeniedTopics < 0 || g.SensitiveInformation < 0 || g.ContextualGrounding < 0 || g.WordFilters < 0:
		return errorf("guardrail: a price is negative")
	case g.Effective == "" || g.Source == "" || g.Region == "":
		return errorf("guardrail: needs a region, an effective date and a source")
	}
	return nil
}

// GuardrailPolicies says which charged policies a configured Bedrock
// guardrail applies, for estimates before a call (budget reservations,
// plans); calls themselves are charged the units their trace reports.
type GuardrailPolicies struct {
	ContentFilters       bool
	DeniedTopics         bool
	SensitiveInformation bool
	ContextualGrounding  bool
	WordFilters          bool
}

// DefaultGuardrailPolicies are the policies of the guardrail in
// deploy/template.yaml: sensitive information, denied topics and word
// filters.
var DefaultGuardrailPolicies = GuardrailPolicies{SensitiveInformation: true, DeniedTopics: true, WordFilters: true}

// TextUnits returns the text units a text of chars characters is charged as
// per policy: one per 1,000 characters, started.
func TextUnits(chars int) int {
	if chars <= 0 {
		return 0
	}
	return (chars + charsPerTextUnit - 1) / charsPerTextUnit
}

// Units returns the units a guardrail with policies p is charged for one
// call whose guarded input and output have the given character counts.
func (p GuardrailPolicies) Units(inputChars, outputChars int) ticketsum.GuardrailUnits {
	n := TextUnits(inputChars) + TextUnits(outputChars)
	on := func(b bool) int {
		if b {
			return n
		}
		return 0
	}
	return ticketsum.GuardrailUnits{
		ContentFilters: on(p.ContentFilters), DeniedTopics: on(p.DeniedTopics),
		SensitiveInformation: on(p.SensitiveInformation), ContextualGrounding: on(p.ContextualGrounding),
		WordFilters: on(p.WordFilters),
	}
}

// GuardrailCost returns what the configured guardrail (Config.Guardrail)
// costs for one call whose guarded input and output have the given
// character counts, 0 with no guardrail configured. The access and audit
// packages record it with a call's cost; plan adds it per ticket.
func (c *Catalogue) GuardrailCost(inputChars, outputChars int) float64 {
	if c.cfg.Guardrail == nil {
		return 0
	}
	return c.guardrail.Cost(c.cfg.Guardrail.Units(inputChars, outputChars))
}

// GuardrailPrices returns the catalogue's guardrail prices, nil when it has
// none.
func (c *Catalogue) GuardrailPrices() *GuardrailPrices {
	if c.guardrail == nil {
		return nil
	}
	g := *c.guardrail
	return &g
}
