// Package metrics exposes ticketsum's measurements in the Prometheus text
// format, on a registry of its own (nothing is registered globally).
//
// A Metrics is the gateway's gateway.Metrics sink (model calls by model and
// outcome, throttles, tokens by kind, cost, latency, fallbacks, the adaptive
// concurrency limit) and, when given a queue, a collector that reads
// queue.Stats on every scrape (jobs by state, age of the oldest waiting job)
// and the queue's job outcome counters (Config.Queue, or WatchQueue for a
// queue opened later). Handler serves it all for /metrics.
//
// Series (all prefixed "ticketsum_"):
//
//	model_calls_total{model,outcome}          counter, outcome "ok" or an error code
//	model_throttles_total{model}              counter
//	model_call_duration_seconds{model}        histogram of provider attempts
//	model_tokens_total{model,kind}            counter, kind input|output|cache_read|cache_write
//	model_cost_usd_total{model}               counter
//	model_fallbacks_total{from,to}            counter
//	model_concurrency_limit{model}            gauge
//	queue_jobs{state}                         gauge, state available|running|waiting|completed|cancelled|discarded
//	queue_oldest_job_age_seconds              gauge
//	queue_job_runs_total{outcome}             counter, outcome completed|failed|retried|snoozed|cancelled|superseded
//	ticket_failures_total{class,code}         counter, tickets left failed by class retryable|config|bad_ticket|policy and error code
//	queue_stats_up                            gauge, 0 when the last read of the queue failed
//
// Labels carry model names, codes and states only: never ticket ids, text or
// principals, so the series count stays bounded and holds no personal data.
package metrics
