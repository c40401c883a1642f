package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/gateway"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/lambda"
	"github.com/ticketsum/ticketsum/postgres"
	"github.com/ticketsum/ticketsum/summarize"
	"github.com/ticketsum/ticketsum/telemetry"
)

// deps are what the function takes from its surroundings; tests replace
// them.
type deps struct {
	// LoadAWS loads the AWS configuration. Default: the standard chain, which
	// in Lambda reads the region and the role's credentials from the
	// environment Lambda sets.
	LoadAWS func(ctx context.Context) (aws.Config, error)
	// Log receives the JSON log lines (CloudWatch Logs in Lambda). Required.
	Log io.Writer
	// Metrics receives the CloudWatch embedded-metric-format lines, one
	// per batch. Default none.
	Metrics io.Writer
	// Clock tells the time. Default the system clock.
	Clock ticketsum.Clock
	// AuditS3 and AuditKeys replace the S3 client and the KMS key wrapper
	// of the invocation log. Default: clients from the AWS configuration.
	AuditS3   audit.S3API
	AuditKeys audit.KeyWrapper
	// Getenv reads the OTEL_* variables that turn tracing and metrics on
	// (docs/observability.md), and the AWS_REGION and AWS_ENDPOINT_URL_*
	// that give model-call spans their server.address. Default: none set,
	// telemetry off.
	Getenv func(string) string
	// SpanExporter, when set, receives the spans instead of the exporter
	// the OTEL_* variables name, and turns tracing on (tests).
	SpanExporter sdktrace.SpanExporter
}

// function is one container's state: the store, opened once outside the
// handler, and the handler that uses it.
type function struct {
	handler   *lambda.Handler
	gov       *governance
	tel       *telemetry.Telemetry
	store     *postgres.Store
	logger    *slog.Logger
	closeOnce sync.Once
}

// newFunction opens the store and builds the pipeline behind the gateway.
func newFunction(ctx context.Context, s settings, d deps) (*function, error) {
	if d.Clock == nil {
		d.Clock = ticketsum.SystemClock{}
	}
	logger := newLogger(d.Log, s.LogLevel)
	var (
		awsOnce sync.Once
		awsCfg  aws.Config
		awsErr  error
	)
	loadAWS := func(ctx context.Context) (aws.Config, error) {
		awsOnce.Do(func() {
			if d.LoadAWS != nil {
				awsCfg, awsErr = d.LoadAWS(ctx)
			} else {
				awsCfg, awsErr = awsconfig.LoadDefaultConfig(ctx)
			}
		})
		return awsCfg, awsErr
	}
	pc := postgres.Config{URL: s.DB, Schema: s.Schema, MaxConns: s.MaxConns, Logger: logger, Clock: d.Clock}
	if s.IAMAuth {
		pc.Password = iamPassword(s.DB, loadAWS)
	}
	store, err := postgres.Open(ctx, pc)
	if err != nil {
		return nil, err
	}
	gov, err := newGovernance(ctx, s, d, store, loadAWS, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	tel, err := telemetry.New(ctx, telemetry.Config{Getenv: d.Getenv, ServiceName: "ticketsum-lambda", SpanExporter: d.SpanExporter, Logger: logger})
	if err != nil {
		store.Close()
		return nil, err
	}
	// The telemetry wrappers go outermost, so that spans show what
	// governance denies too (as in the CLI).
	telOuter, telInner := tel.ModelCalls(telemetry.ServerAddress(d.Getenv, "", ""))
	models, err := app.New(app.Config{
		Models: map[string]app.ModelConfig{s.Model: s.ModelConfig}, LoadAWS: loadAWS,
		Outer: append([]gateway.Middleware{telOuter}, gov.Outer...), Inner: append([]gateway.Middleware{telInner}, gov.Inner...),
		Guardrail: s.Guardrail, PromptVersion: s.PromptVersion,
		MaxAttempts: s.MaxAttempts, MaxElapsed: s.MaxElapsed, CallTimeout: s.CallTimeout, CallTimeoutSetting: "TICKETSUM_CALL_TIMEOUT",
		Principal: principal, Clock: d.Clock, Logger: logger,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	sum, err := models.Summarizer(ctx, s.Model, "")
	if err != nil {
		store.Close()
		return nil, err
	}
	onSaved, err := reviewSampler(ctx, s, store, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	pipe, err := summarize.New(summarize.Config{Summarizer: tel.Summarizer(sum), Store: store, Guard: gov.Guard, Model: s.Model,
		Principal: principal, Clock: d.Clock, Logger: logger, OnSaved: onSaved})
	if err != nil {
		store.Close()
		return nil, err
	}
	h, err := lambda.New(lambda.Config{Processor: pipe, Failures: failures{store: store, clock: d.Clock}, Concurrency: s.Concurrency, TicketTimeout: s.ticketTimeout(),
		MaxReceiveCount: s.MaxReceiveCount, Clock: d.Clock, Logger: logger,
		Metrics: d.Metrics, FunctionName: s.FunctionName, Tracer: tel})
	if err != nil {
		store.Close()
		return nil, err
	}
	logger.Info("function ready", "model", s.Model, "schema", s.Schema, "iam_auth", s.IAMAuth,
		"invocation_log", s.AuditBucket != "", "review_share", max(s.ReviewShare, 0.0))
	return &function{handler: h, gov: gov, tel: tel, store: store, logger: logger}, nil
}

// Handle is the Lambda handler: it works the batch, then uploads the
// batch's invocation records. When they cannot be uploaded, every message
// of the batch is reported failed: the sink keeps the records and the next
// flush (at the latest the retried batch's) uploads them, and a message
// stays in SQS, and later in the dead-letter queue, until its records are
// safe. Last it exports the batch's spans and metrics, since a frozen
// container exports nothing; a failed export is logged, and fails no
// message.
func (f *function) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	resp, err := f.handler.Handle(ctx, ev)
	if err != nil {
		return resp, err
	}
	if err := f.gov.flush(ctx); err != nil {
		f.logger.ErrorContext(ctx, "invocation log upload failed; the batch will be retried",
			"code", string(ticketsum.ErrorCodeOf(err)), "error", ticketsum.ErrorMessage(err))
		resp.BatchItemFailures = resp.BatchItemFailures[:0]
		for _, m := range ev.Records {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	if err := f.tel.Flush(ctx); err != nil {
		f.logger.WarnContext(ctx, "OpenTelemetry data of this batch not all exported", "error", err.Error())
	}
	return resp, nil
}

// Close releases the store; Lambda calls it on SIGTERM before the container
// is shut down. It is safe to call more than once.
func (f *function) Close() {
	f.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond) // Lambda allows 500ms after SIGTERM
		defer cancel()
		if err := f.gov.flush(ctx); err != nil {
			f.logger.Error("invocation log upload failed at shutdown", "error", ticketsum.ErrorMessage(err))
		}
		if err := f.tel.Shutdown(ctx); err != nil {
			f.logger.Warn("OpenTelemetry data not all exported at shutdown", "error", err.Error())
		}
		f.store.Close()
		f.logger.Info("function shut down")
	})
}

// iamPassword returns a password callback that builds an RDS IAM
// authentication token for every new connection (tokens last 15 minutes;
// pgx asks again for each connection it opens).
func iamPassword(dbURL string, loadAWS func(context.Context) (aws.Config, error)) func(context.Context) (string, error) {
	u, _ := url.Parse(dbURL) // validated by loadSettings
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "5432"
	}
	user := u.User.Username()
	return func(ctx context.Context) (string, error) {
		c, err := loadAWS(ctx)
		if err != nil {
			return "", ticketsum.Errorf(ticketsum.EUNAVAILABLE, "load AWS configuration for RDS IAM authentication: %w", err)
		}
		tok, err := auth.BuildAuthToken(ctx, net.JoinHostPort(host, port), c.Region, user, c.Credentials)
		if err != nil {
			return "", ticketsum.Errorf(ticketsum.EUNAUTHORIZED, "build RDS IAM authentication token: %w", err)
		}
		return tok, nil
	}
}

// newLogger returns a JSON logger at level, as CloudWatch Logs reads best.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
