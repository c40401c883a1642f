package gateway

import (
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
)

// Metrics receives what the gateway measures. Implementations must be safe
// for concurrent use and fast: they are called on every attempt.
type Metrics interface {
	// Attempt records one provider attempt: the model, the error code
	// ("" for success, ticketsum.ETHROTTLED for a throttle, ...) and latency.
	Attempt(model string, code ticketsum.ErrorCode, latency time.Duration)
	// Usage records the tokens and cost of a successful attempt.
	Usage(model string, u ticketsum.Usage, costUSD float64)
	// Fallback records that a call moved from one model to the next.
	Fallback(from, to string)
	// Concurrency records a model's new concurrency limit.
	Concurrency(model string, limit int)
}

// NopMetrics discards every measurement.
type NopMetrics struct{}

// Attempt does nothing.
func (NopMetrics) Attempt(string, ticketsum.ErrorCode, time.Duration) {}

// Usage does nothing.
func (NopMetrics) Usage(string, ticketsum.Usage, float64) {}

// Fallback does nothing.
func (NopMetrics) Fallback(string, string) {}

// Concurrency does nothing.
func (NopMetrics) Concurrency(string, int) {}
