// Package cost holds the model catalogue: every model ticketsum can call,
// with its family, context window, output limit, prompt-caching support and
// prices (USD per million input, output, cache-read and cache-write tokens,
// batch discount, provisioned-throughput and SageMaker instance prices), each
// with an effective date and a source.
//
// The catalogue is an embedded data file (catalogue.yaml) that a user file
// can override entry by entry. Prices live only there, never in code.
// Catalogue.Lookup resolves cross-region inference profile prefixes (us.,
// eu., apac., global., ...) and Bedrock ARNs to their base model;
// Catalogue.Cost prices the usage a provider reports, cache reads and writes
// apart and never negative; Catalogue.Estimate gives the upper bound used for
// budget reservations before a call.
package cost
