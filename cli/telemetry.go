package cli

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/telemetry"
)

// telemetryFlushTimeout bounds flushing spans and metrics at exit.
const telemetryFlushTimeout = 5 * time.Second

// startTelemetry turns OpenTelemetry on when the OTEL_* variables ask for
// it (docs/observability.md), and makes its flush the wiring's last
// closer, so that short commands export too. A failed flush is logged,
// never the command's failure.
func (w *wiring) startTelemetry(ctx context.Context) error {
	version := ""
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	t, err := telemetry.New(ctx, telemetry.Config{Getenv: w.env.getenv, ServiceVersion: version, Logger: w.logger})
	if err != nil {
		return err
	}
	w.tel = t
	w.closers = append(w.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), telemetryFlushTimeout)
		defer cancel()
		if err := t.Shutdown(ctx); err != nil {
			w.logger.Warn("OpenTelemetry data of this run not all exported", "error", err.Error())
		}
		return nil
	})
	return nil
}

// modelMiddleware returns the governance wrappers with the telemetry ones
// outermost, so that spans show what governance denies too.
func (w *wiring) modelMiddleware(gov *app.Governance) (outer, inner []gateway.Middleware) {
	if !w.tel.Tracing() && !w.tel.Metrics() {
		return gov.Outer, gov.Inner
	}
	o, i := w.tel.ModelCalls(telemetry.ServerAddress(w.env.getenv, w.cfg.AWS.Region, w.cfg.OpenAI.BaseURL))
	return append([]gateway.Middleware{o}, gov.Outer...), append([]gateway.Middleware{i}, gov.Inner...)
}

// queueMiddleware is the River middleware that carries a ticket's trace
// through the queue, or none when tracing is off.
func (w *wiring) queueMiddleware() []rivertype.Middleware {
	if m := w.tel.QueueMiddleware(); m != nil {
		return []rivertype.Middleware{m}
	}
	return nil
}
