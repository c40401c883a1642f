package cli

import (
	"context"
	"net/url"
	"runtime/debug"
	"strings"
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
	o, i := w.tel.ModelCalls(w.serverAddress)
	return append([]gateway.Middleware{o}, gov.Outer...), append([]gateway.Middleware{i}, gov.Inner...)
}

// serverAddress is a model's server.address: the host its provider's
// calls go to, as the standard AWS variables and the config set it, or ""
// when it cannot be told.
func (w *wiring) serverAddress(model string) string {
	kind, _, _ := strings.Cut(model, ":")
	host := func(u string) string {
		p, err := url.Parse(u)
		if err != nil {
			return ""
		}
		return p.Hostname()
	}
	var service, prefix string
	switch kind {
	case "openai":
		return host(w.cfg.OpenAI.BaseURL)
	case "bedrock":
		service, prefix = "BEDROCK_RUNTIME", "bedrock-runtime"
	case "sagemaker":
		service, prefix = "SAGEMAKER_RUNTIME", "runtime.sagemaker"
	default:
		return ""
	}
	for _, v := range []string{"AWS_ENDPOINT_URL_" + service, "AWS_ENDPOINT_URL"} {
		if u := w.env.getenv(v); u != "" {
			return host(u)
		}
	}
	region := w.cfg.AWS.Region
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if region == "" {
			region = w.env.getenv(v)
		}
	}
	if region == "" {
		return ""
	}
	return prefix + "." + region + ".amazonaws.com"
}

// queueMiddleware is the River middleware that carries a ticket's trace
// through the queue, or none when tracing is off.
func (w *wiring) queueMiddleware() []rivertype.Middleware {
	if m := w.tel.QueueMiddleware(); m != nil {
		return []rivertype.Middleware{m}
	}
	return nil
}
