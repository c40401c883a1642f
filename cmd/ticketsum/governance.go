package main

import (
	"context"

	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/prompt"
)

// governance returns the gateway's outer and inner wrappers.
func (w *wiring) governance(ctx context.Context) (outer, inner []gateway.Middleware) {
	return nil, nil
}

// piiChecker returns the guard's PII check for prompt output checks.
func (w *wiring) piiChecker() prompt.PIIChecker { return nil }

// metrics returns the gateway's metrics sink.
func (w *wiring) metrics() gateway.Metrics { return gateway.NopMetrics{} }
