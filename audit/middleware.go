package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/ticketsum/ticketsum"
)

// MiddlewareConfig configures Middleware.
type MiddlewareConfig struct {
	// Log receives an encrypted invocation record of every call. Optional,
	// but at least one of Log and Trail is required.
	Log Sink
	// Trail receives a hash-chained record of every call. Optional.
	Trail *Trail
	// Redact, if set, is applied to every text logged (system prompt,
	// messages, output, error message). The guard redacts before the
	// gateway; this is defence in depth. Default: none.
	Redact func(string) string
	// OmitBodies logs tokens, cost and outcome but no input or output text.
	// Default false.
	OmitBodies bool
	// FailOpen returns the model's answer even when the record cannot be
	// written (the failure is logged). Default false: a call whose record
	// cannot be written fails with EUNAVAILABLE, so that no call goes
	// unaudited.
	FailOpen bool
	// Clock measures latency when the response carries none.
	// Default ticketsum.SystemClock.
	Clock ticketsum.Clock
	// Logger receives write failures. Default: discard.
	Logger *slog.Logger
}

// Middleware returns a wrapper that records every call through the wrapped
// model, successful or not, in the invocation log and the audit trail. Put
// it outside access.Middleware so that denied calls are recorded too. It
// returns EINVALID for a config with neither Log nor Trail.
func Middleware(cfg MiddlewareConfig) (func(ticketsum.Model) ticketsum.Model, error) {
	if cfg.Log == nil && cfg.Trail == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit middleware: set Log, Trail or both")
	}
	if cfg.Redact == nil {
		cfg.Redact = func(s string) string { return s }
	}
	if cfg.Clock == nil {
		cfg.Clock = ticketsum.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return func(next ticketsum.Model) ticketsum.Model { return &audited{next: next, cfg: cfg} }, nil
}

type audited struct {
	next ticketsum.Model
	cfg  MiddlewareConfig
}

var _ ticketsum.Model = (*audited)(nil)

// Name returns the wrapped model's name.
func (a *audited) Name() string { return a.next.Name() }

// Generate calls the wrapped model and records the call.
func (a *audited) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if req == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "nil model request")
	}
	start := a.cfg.Clock.Now()
	resp, callErr := a.next.Generate(ctx, req)
	rec := a.record(req, resp, callErr, start)
	wctx := context.WithoutCancel(ctx)
	var werr error
	if a.cfg.Log != nil {
		werr = a.cfg.Log.Write(wctx, rec)
	}
	if a.cfg.Trail != nil {
		werr = errors.Join(werr, a.cfg.Trail.AppendInvocation(wctx, rec))
	}
	if werr != nil {
		a.cfg.Logger.Error("audit record not written", "request_id", rec.RequestID, "model", rec.ModelID, "err", werr)
		if !a.cfg.FailOpen {
			return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "audit log unavailable, call %s not recorded: %w", rec.RequestID, werr)
		}
	}
	return resp, callErr
}

// record builds the invocation record of one call.
func (a *audited) record(req *ticketsum.ModelRequest, resp *ticketsum.ModelResponse, err error, start time.Time) *InvocationRecord {
	red := a.cfg.Redact
	rec := &InvocationRecord{
		SchemaType: "ModelInvocationLog", SchemaVersion: "1.0", Timestamp: start.UTC(),
		RequestID: req.Meta.RequestID, Operation: "Generate", ModelID: a.next.Name(),
		Identity:        Identity{Principal: req.Meta.Principal},
		RequestMetadata: RequestMetadata{UseCase: req.Meta.UseCase, TicketID: req.Meta.TicketID, ProductLine: req.Meta.ProductLine},
		Input:           InvocationInput{InputContentType: "application/json"},
		Outcome:         "success",
	}
	if rec.RequestID == "" {
		var b [8]byte
		rand.Read(b[:])
		rec.RequestID = "tks-" + hex.EncodeToString(b[:])
	}
	if !a.cfg.OmitBodies {
		body := &InputBody{System: red(req.System), MaxTokens: req.MaxTokens, Temperature: req.Temperature, StopSequences: req.StopSequences}
		for _, m := range req.Messages {
			body.Messages = append(body.Messages, ticketsum.ChatMessage{Role: m.Role, Content: red(m.Content)})
		}
		rec.Input.InputBodyJSON = body
	}
	if resp != nil {
		rec.Input.InputTokenCount = resp.Usage.InputTokens
		rec.Input.CacheReadInputTokenCount = resp.Usage.CacheReadTokens
		rec.Input.CacheWriteInputTokenCount = resp.Usage.CacheWriteTokens
		rec.Output = &InvocationOutput{OutputContentType: "application/json", OutputTokenCount: resp.Usage.OutputTokens}
		if !a.cfg.OmitBodies {
			rec.Output.OutputBodyJSON = &OutputBody{Text: red(resp.Text), StopReason: resp.StopReason}
		}
		if resp.Model != "" && resp.Model != rec.ModelID {
			rec.ResponseModelID = resp.Model
		}
		rec.CostUSD = resp.CostUSD
		rec.GuardrailActions = resp.Flags
		rec.LatencyMs = resp.Latency.Milliseconds()
	}
	if rec.LatencyMs == 0 {
		rec.LatencyMs = a.cfg.Clock.Now().Sub(start).Milliseconds()
	}
	if err != nil {
		code := ticketsum.ErrorCodeOf(err)
		rec.ErrorCode, rec.ErrorMessage = string(code), red(ticketsum.ErrorMessage(err))
		rec.Outcome = "error"
		if deniedCode(code) {
			rec.Outcome = "denied"
		}
	}
	return rec
}

// deniedCode reports whether code is a policy denial rather than a failure.
func deniedCode(c ticketsum.ErrorCode) bool {
	return c == ticketsum.EUNAUTHORIZED || c == ticketsum.EFORBIDDEN || c == ticketsum.EQUOTA
}
