// Package cost holds the model catalogue: every model ticketsum can call,
// with its family, context window, output limit, prompt-caching support and
// prices (USD per million input, output, cache-read and cache-write tokens,
// batch discount, provisioned-throughput and SageMaker instance prices), each
// with the region it is for, an effective date, a source and whether it is
// verified; the fewest tokens a cache point caches; a legacy model's
// lifecycle (end-of-life date, extended-access price); and the Bedrock
// Guardrails prices per text unit and policy.
//
// The catalogue is an embedded data file (catalogue.yaml) that a user file
// can override entry by entry. Prices live only there, never in code.
// Catalogue.Lookup resolves cross-region inference profile prefixes (us.,
// eu., apac., global., ...) and Bedrock ARNs to their base model, priced for
// the region the call is billed in and for today's lifecycle state;
// Catalogue.Cost prices the usage a provider reports, cache reads and writes
// and guardrail text units apart and never negative; Catalogue.Estimate
// gives the upper bound used for budget reservations before a call, the
// configured guardrail included; Catalogue.GuardrailCost gives the guardrail
// charge of a call for usage records.
package cost
