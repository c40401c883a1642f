package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
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
	// RedactContext, if set, is used instead of Redact, with the call's
	// context (guard.Guard.RedactContext finds the ticket's known people
	// through the session the context carries). Default none.
	RedactContext func(context.Context, string) string
	// OmitBodies logs tokens, cost and outcome but no input or output text.
	// Default false.
	OmitBodies bool
	// Spool, if set, keeps a record that Log or Trail refuses (KMS
	// unreachable, S3 or the database down), encrypted on local disk, to be
	// written again later: the call then succeeds as if the record had
	// been written, and its answer is never withheld or paid for twice
	// because of a log failure. Default nil.
	Spool *Spool
	// FailOpen returns the model's answer even when the record can be
	// written neither to its destination nor to the Spool (the failure is
	// logged). Default false: such a call fails, so that no call goes
	// unaudited; see Middleware for the errors.
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
//
// Records are written with the caller's context detached, so a call whose
// caller gave up while the answer arrived is still recorded, once. When
// the wrapper is nested (the trail outside the gateway, the log on each
// attempt inside it), the outer one also records the tokens and cost of
// attempts that were answered and paid although a later step failed (an
// output guard, say).
//
// The errors after a paid answer, agreed with the gateway: a record that
// its destination refused but the Spool took is not an error (the answer
// is returned). A record that neither took makes the call fail, unless
// FailOpen, with an EINTERNAL error of class ClassConfig wrapping
// ErrNotRecorded: never retryable, because calling the model again would
// pay again and could not be recorded either. A failed call (no answer)
// whose record is lost fails with EUNAVAILABLE, retryable.
func Middleware(cfg MiddlewareConfig) (func(ticketsum.Model) ticketsum.Model, error) {
	if cfg.Log == nil && cfg.Trail == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "audit middleware: set Log, Trail or both")
	}
	if cfg.Redact == nil {
		cfg.Redact = func(s string) string { return s }
	}
	if cfg.RedactContext == nil {
		redact := cfg.Redact
		cfg.RedactContext = func(_ context.Context, s string) string { return redact(s) }
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
	if acct, nested := ctx.Value(accountKey{}).(*callAccount); nested {
		resp, err := a.next.Generate(ctx, req)
		if resp != nil {
			acct.add(resp)
		}
		return a.finish(ctx, req, resp, err, start, nil)
	}
	acct := &callAccount{}
	resp, err := a.call(context.WithValue(ctx, accountKey{}, acct), req)
	return a.finish(ctx, req, resp, err, start, acct)
}

// call calls the wrapped model, counted among the trail's calls under way
// (Trail.CallStarted) until it returns.
func (a *audited) call(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if a.cfg.Trail != nil {
		defer a.cfg.Trail.CallStarted()()
	}
	return a.next.Generate(ctx, req)
}

// finish records the call and decides what the caller gets; acct is the
// call's paid attempts when this wrapper is the outermost, else nil.
func (a *audited) finish(ctx context.Context, req *ticketsum.ModelRequest, resp *ticketsum.ModelResponse, callErr error, start time.Time, acct *callAccount) (*ticketsum.ModelResponse, error) {
	rec := a.record(ctx, req, resp, callErr, start)
	if resp == nil && acct != nil {
		acct.fill(rec)
	}
	werr := a.write(context.WithoutCancel(ctx), rec)
	if werr == nil {
		return resp, callErr
	}
	a.cfg.Logger.Error("audit record not written", "request_id", rec.RequestID, "model", rec.ModelID, "err", werr)
	notRecorded := &withheldAnswer{err: errors.Join(ErrNotRecorded, werr)}
	if resp != nil {
		notRecorded.cost = resp.CostUSD
	}
	switch {
	case a.cfg.FailOpen:
		return resp, callErr
	case callErr == nil:
		// Shown: the API client must learn that the answer was paid and
		// withheld, and that retrying pays again; the message names no path
		// or key file (werr does, for the log above).
		return nil, &ticketsum.Error{Code: ticketsum.EINTERNAL, Class: ticketsum.ClassConfig, Shown: true, Err: notRecorded,
			Message: fmt.Sprintf("model call %s was answered (and paid) but could not be recorded in the invocation log or the audit trail, nor spooled: "+
				"the answer is withheld so that no call goes unaudited; do not retry the call: a retry is paid again and fails the same way "+
				"until the server's audit storage is fixed (free space on the disk of its invocation log and spool directory; the server's log names the cause under this call's id), then retry the ticket", rec.RequestID)}
	}
	return nil, &ticketsum.Error{Code: ticketsum.EUNAVAILABLE, Err: notRecorded,
		Message: fmt.Sprintf("model call %s failed (%s) and could not be recorded in the invocation log or the audit trail, nor spooled: "+
			"retrying is safe (no answer was kept), but fails the same way until the server's audit storage is fixed (the server's log names the cause under this call's id)",
			rec.RequestID, ticketsum.ErrorCodeOf(callErr))}
}

// withheldAnswer is the cause of a call's error when its record could not
// be written: ErrNotRecorded and why, with the cost of the answer withheld
// (ticketsum.WithheldCostUSD), which the budget charges: the answer was
// paid although the caller does not get it.
type withheldAnswer struct {
	err  error
	cost float64
}

func (w *withheldAnswer) Error() string { return w.err.Error() }

func (w *withheldAnswer) Unwrap() error { return w.err }

// WithheldCostUSD returns the cost of the withheld answer.
func (w *withheldAnswer) WithheldCostUSD() float64 { return w.cost }

// write stores rec in the log and the trail; what either refuses goes to
// the spool. It returns what neither took.
func (a *audited) write(ctx context.Context, rec *InvocationRecord) error {
	var errs []error
	if a.cfg.Log != nil {
		if err := a.cfg.Log.Write(ctx, rec); err != nil {
			errs = append(errs, a.spool(ctx, DestLog, rec, err))
		}
	}
	if a.cfg.Trail != nil {
		if err := a.cfg.Trail.AppendInvocation(ctx, rec); err != nil {
			errs = append(errs, a.spool(ctx, DestTrail, rec, err))
		}
	}
	return errors.Join(errs...)
}

func (a *audited) spool(ctx context.Context, dest string, rec *InvocationRecord, cause error) error {
	if a.cfg.Spool == nil {
		return fmt.Errorf("%s: %w", dest, cause)
	}
	if err := a.cfg.Spool.Put(ctx, dest, rec, cause); err != nil {
		return fmt.Errorf("%s: %w; spool: %w", dest, cause, err)
	}
	return nil
}

// Meter returns a wrapper for the gateway's per-attempt (Inner) list when
// there is no invocation log there: it adds each answered attempt to the
// account the outer Middleware keeps, so that the trail records what was
// paid even when a later step fails. An invocation-log Middleware does it
// already.
func Meter() func(ticketsum.Model) ticketsum.Model {
	return func(next ticketsum.Model) ticketsum.Model { return metered{next} }
}

type metered struct{ next ticketsum.Model }

// Name returns the wrapped model's name.
func (m metered) Name() string { return m.next.Name() }

// Generate calls the wrapped model and counts an answer.
func (m metered) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	resp, err := m.next.Generate(ctx, req)
	if acct, ok := ctx.Value(accountKey{}).(*callAccount); ok && resp != nil {
		acct.add(resp)
	}
	return resp, err
}

// accountKey keys the callAccount of a logical call in its context.
type accountKey struct{}

// callAccount adds up the answered (paid) attempts of one logical call,
// as the inner wrappers see them.
type callAccount struct {
	mu    sync.Mutex
	paid  int
	usage ticketsum.Usage
	cost  float64
	model string
}

func (c *callAccount) add(r *ticketsum.ModelResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paid++
	c.usage.InputTokens += r.Usage.InputTokens
	c.usage.OutputTokens += r.Usage.OutputTokens
	c.usage.CacheReadTokens += r.Usage.CacheReadTokens
	c.usage.CacheWriteTokens += r.Usage.CacheWriteTokens
	c.cost += r.CostUSD
	c.model = r.Model
}

// fill puts the paid attempts into the record of a call that ended
// without an answer.
func (c *callAccount) fill(rec *InvocationRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paid == 0 {
		return
	}
	rec.PaidAttempts = c.paid
	rec.Input.InputTokenCount = c.usage.InputTokens
	rec.Input.CacheReadInputTokenCount = c.usage.CacheReadTokens
	rec.Input.CacheWriteInputTokenCount = c.usage.CacheWriteTokens
	rec.Output = &InvocationOutput{OutputContentType: "application/json", OutputTokenCount: c.usage.OutputTokens}
	rec.CostUSD = c.cost
	if c.model != "" && c.model != rec.ModelID {
		rec.ResponseModelID = c.model
	}
}

// recordParts are a record and the bodies it points to, allocated at once
// (one allocation per call instead of five).
type recordParts struct {
	rec     InvocationRecord
	in      InputBody
	out     InvocationOutput
	outBody OutputBody
	msgs    [2]ticketsum.ChatMessage // the messages of a short chat
}

// record builds the invocation record of one call.
func (a *audited) record(ctx context.Context, req *ticketsum.ModelRequest, resp *ticketsum.ModelResponse, err error, start time.Time) *InvocationRecord {
	red := func(s string) string { return a.cfg.RedactContext(ctx, s) }
	p := &recordParts{}
	rec := &p.rec
	*rec = InvocationRecord{
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
		body := &p.in
		*body = InputBody{System: red(req.System), MaxTokens: req.MaxTokens, Temperature: req.Temperature, StopSequences: req.StopSequences}
		if len(req.Messages) > 0 { // none stays nil: the log has always written "messages":null then
			body.Messages = p.msgs[:0]
		}
		for _, m := range req.Messages {
			body.Messages = append(body.Messages, ticketsum.ChatMessage{Role: m.Role, Content: red(m.Content)})
		}
		rec.Input.InputBodyJSON = body
	}
	if resp != nil {
		rec.Input.InputTokenCount = resp.Usage.InputTokens
		rec.Input.CacheReadInputTokenCount = resp.Usage.CacheReadTokens
		rec.Input.CacheWriteInputTokenCount = resp.Usage.CacheWriteTokens
		p.out = InvocationOutput{OutputContentType: "application/json", OutputTokenCount: resp.Usage.OutputTokens}
		rec.Output = &p.out
		if !a.cfg.OmitBodies {
			p.outBody = OutputBody{Text: red(resp.Text), StopReason: resp.StopReason}
			rec.Output.OutputBodyJSON = &p.outBody
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
