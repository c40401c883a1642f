package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	ticketsum "github.com/ticketsum/ticketsum"
)

// generate runs one logical call: the requested model with its retries,
// then each fallback in turn while the requested model's failure is
// throttling or unavailability and time remains. A fallback that fails for
// its own reasons (it rejects the request, access to it is denied) is
// skipped: the call then fails with the requested model's retryable code,
// so that a queue snoozes the ticket rather than cancelling it.
func (g *Gateway) generate(ctx context.Context, first *member, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if req == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "%s: no request", first.name)
	}
	start := g.cfg.Clock.Now()
	deadline := start.Add(g.cfg.MaxElapsed)
	var firstErr, err error
	for i, m := range first.chain {
		if i > 0 {
			if ctx.Err() != nil || !g.cfg.Clock.Now().Before(deadline) {
				break
			}
			from := first.chain[i-1].name
			g.cfg.Metrics.Fallback(from, m.name)
			g.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "model call falls back",
				slog.String("from", from), slog.String("to", m.name),
				slog.String("code", string(ticketsum.ErrorCodeOf(err))), slog.String("request_id", req.Meta.RequestID))
		}
		var res *ticketsum.ModelResponse
		res, err = g.retry(ctx, m, req, deadline)
		if err == nil {
			res.Latency = g.cfg.Clock.Now().Sub(start)
			return res, nil
		}
		if i == 0 {
			firstErr = err
			if !ticketsum.Retryable(err) {
				return nil, err
			}
		}
	}
	if len(first.chain) > 1 && ctx.Err() == nil {
		return nil, ticketsum.Errorf(ticketsum.ErrorCodeOf(firstErr), "%s (%s) and its fallbacks %v all failed, last: %w",
			first.name, ticketsum.ErrorCodeOf(firstErr), g.cfg.Fallbacks[first.name], err)
	}
	return nil, err
}

// retry calls one model up to MaxAttempts times, backing off between
// attempts with full jitter while the error is retryable.
func (g *Gateway) retry(ctx context.Context, m *member, req *ticketsum.ModelRequest, deadline time.Time) (*ticketsum.ModelResponse, error) {
	reserve := g.reservation(m, req)
	for attempt := 1; ; attempt++ {
		res, err := g.attempt(ctx, m, req, reserve)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: call cancelled: %w", m.name, ctx.Err())
		}
		if !ticketsum.Retryable(err) || attempt >= g.cfg.MaxAttempts {
			return nil, err
		}
		d := g.backoff(attempt)
		if g.cfg.Clock.Now().Add(d).After(deadline) {
			return nil, err
		}
		g.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "model call retries",
			slog.String("model", m.name), slog.Int("attempt", attempt), slog.Duration("backoff", d),
			slog.String("code", string(ticketsum.ErrorCodeOf(err))), slog.String("request_id", req.Meta.RequestID))
		if err := g.cfg.Sleep(ctx, d); err != nil {
			return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "%s: call cancelled during backoff: %w", m.name, err)
		}
	}
}

// backoff returns the full-jitter delay before retry number attempt:
// uniform in [0, min(MaxBackoff, BaseBackoff * 2^(attempt-1))).
func (g *Gateway) backoff(attempt int) time.Duration {
	ceiling := g.cfg.MaxBackoff
	if attempt-1 < 32 {
		ceiling = min(ceiling, g.cfg.BaseBackoff<<(attempt-1))
	}
	return time.Duration(g.cfg.Rand() * float64(ceiling))
}

// paidKey carries an attempt's *paidAnswer to the priced wrapper.
type paidKey struct{}

// paidAnswer holds the provider's answer of one attempt, set by the priced
// wrapper when the provider answered, whatever the Inner wrappers around it
// do afterwards.
type paidAnswer struct{ res *ticketsum.ModelResponse }

// attempt makes one provider call inside the model's concurrency window and
// quota, with the per-attempt timeout. Once sent, the call is not abandoned
// when the caller's context ends: it runs to its answer or its timeout, so
// that a paid answer is priced, logged and settled. When the provider
// answered but an Inner wrapper then failed (an invocation-log write), the
// answer is returned and the model is not called again: the failure is
// logged and the wrapper's own spool is what records the call.
func (g *Gateway) attempt(ctx context.Context, m *member, req *ticketsum.ModelRequest, reserve int) (*ticketsum.ModelResponse, error) {
	if err := m.win.acquire(ctx); err != nil {
		if errors.Is(err, errQueueFull) {
			limit, inflight := m.win.current()
			return nil, ticketsum.Errorf(ticketsum.ETHROTTLED, "%s has %d calls in flight (limit %d) and %d waiting (rule: gateway concurrency): raise models.%s.max_concurrency, or slow down",
				m.name, inflight, limit, m.win.maxQueue, m.name)
		}
		return nil, err
	}
	gr, err := m.quota.wait(ctx, reserve)
	if err != nil {
		m.win.release()
		return nil, err
	}
	paid := &paidAnswer{}
	actx, cancel := context.WithTimeout(context.WithValue(context.WithoutCancel(ctx), paidKey{}, paid), g.cfg.CallTimeout)
	t0 := g.cfg.Clock.Now()
	res, err := m.call.Generate(actx, req)
	timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
	cancel()
	latency := g.cfg.Clock.Now().Sub(t0)
	if err != nil && paid.res != nil {
		g.cfg.Logger.LogAttrs(ctx, slog.LevelError, "model answered but a step after it failed; the answer is kept and the model not called again",
			slog.String("model", m.name), slog.String("code", string(ticketsum.ErrorCodeOf(err))),
			slog.String("error", ticketsum.ErrorMessage(err)), slog.String("request_id", req.Meta.RequestID))
		res, err = paid.res, nil
	}
	if err != nil && timedOut {
		err = g.timedOut(m.name, err)
	}
	code := ticketsum.ErrorCodeOf(err)
	g.cfg.Metrics.Attempt(m.name, code, latency)
	m.win.done(code == ticketsum.ETHROTTLED)
	switch {
	case code == ticketsum.ETHROTTLED:
		gr.refund()
	case err != nil:
		gr.settle(0)
	default:
		gr.settle(m.used(res.Usage))
		g.cfg.Metrics.Usage(m.name, res.Usage, res.CostUSD)
	}
	if err != nil {
		g.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "model attempt failed", slog.String("model", m.name),
			slog.String("code", string(code)), slog.String("error", ticketsum.ErrorMessage(err)),
			slog.Duration("latency", latency), slog.String("request_id", req.Meta.RequestID))
	}
	return res, err
}

// timedOut is the error of an attempt that got no answer within
// CallTimeout: the model once (the provider's own error, which names it
// too, is the cause, for the log), the setting that sets the timeout and
// what to check.
func (g *Gateway) timedOut(model string, cause error) error {
	setting := g.cfg.CallTimeoutSetting
	if setting == "" {
		setting = "the gateway's call timeout"
	}
	return &ticketsum.Error{Code: ticketsum.EUNAVAILABLE, Err: cause,
		Message: fmt.Sprintf("%s: no answer within %s (the timeout of one attempt, set by %s): check that the model server is up, reachable and not overloaded "+
			"(its own logs and load); for a model that is slow to answer, raise %s", model, g.cfg.CallTimeout, setting, setting)}
}
