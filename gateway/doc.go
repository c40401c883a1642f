// Package gateway is the one path every model call takes. It wraps the
// provider models (Bedrock, SageMaker, OpenAI-compatible, built-in) and gives
// each call, per model:
//
//   - rate limits on requests and tokens per minute (golang.org/x/time/rate),
//     set to the account's quotas: a call reserves its estimated input tokens
//     plus its max output tokens and the reservation is corrected to the
//     usage the provider reports once it answers;
//   - bounded concurrency that halves under sustained throttling and grows
//     back by one per round of successes (AIMD), with a bounded queue:
//     a call beyond Limits.MaxQueue waiting ones fails at once (ETHROTTLED)
//     instead of piling up in a saturated process;
//   - paid answers kept: an attempt, once sent, runs to its answer or its
//     timeout even when the caller's context ends, and when the provider
//     answered but an Inner wrapper failed afterwards (an invocation-log
//     write), the answer is returned and the model is never called again;
//   - retries with full-jitter exponential backoff on throttling and
//     unavailability (5xx, timeouts, not ready) only, never on invalid,
//     forbidden, not-found or unauthorized errors; one retry loop only, so
//     providers must have their SDK's retries off;
//   - a per-attempt timeout and a cap on attempts and on elapsed time;
//   - a fallback chain (for example Sonnet, then Haiku, then Nova) tried when
//     a model stays throttled or unavailable after its retries, with
//     ModelResponse.Model naming the model that answered;
//   - the cost of the answer from the catalogue (ModelResponse.CostUSD);
//   - metrics hooks and slog logs that never carry prompt or answer text.
//
// # Where the governance wrappers go
//
// Wrappers have the shape Middleware, func(ticketsum.Model) ticketsum.Model,
// and are given to the gateway once, in Config, so that no call can skip
// them. There are two places:
//
//	Outer[0]( Outer[1]( ... gateway core: limits, retries, fallback ... ) )
//	                                  |  for each attempt on each model:
//	                                  v
//	Inner[0]( Inner[1]( ... pricing( provider ) ) )
//
// Outer wrappers run once per logical call and see the final answer with its
// cost and the model that answered; Inner wrappers run once per provider
// attempt, failed ones and fallbacks included, and see the priced provider
// answer. The wiring used by cmd/ticketsum (docs/governance.md), outermost
// first:
//
//	Outer: audit trail (records denied calls too), access (principal,
//	       allow-list, RPM, budget reserve and settle), guard (redact input,
//	       guard input and output)
//	Inner: access authorisation of the model really called, encrypted
//	       invocation log of the attempt
//
// A fallback refused by an Inner wrapper (EFORBIDDEN) or by its provider
// (EINVALID, e.g. a context too long for a smaller model) is skipped, and
// the call keeps the requested model's retryable code.
package gateway
