package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// SummaryResponse is the body of a /v1/summaries answer: the same shape as
// `ticketsum summarize --json`, plus the stored summary's id when
// ?store=true saved it.
type SummaryResponse struct {
	TicketID      string          `json:"ticket_id"`
	Summary       string          `json:"summary"`
	Status        string          `json:"status"`
	Model         string          `json:"model"`
	PromptVersion string          `json:"prompt_version"`
	Usage         ticketsum.Usage `json:"usage"`
	CostUSD       float64         `json:"cost_usd"`
	LatencyMS     int64           `json:"latency_ms"`
	Flags         []string        `json:"flags,omitempty"`
	// ID is the stored summary's id, set with ?store=true.
	ID int64 `json:"id,omitempty"`
	// Created is false when ?store=true found the same summary stored
	// already (same thread, model and prompt version).
	Created *bool `json:"created,omitempty"`
}

// UseCaseSummaries is the use case of denials the API records for
// /v1/summaries.
const UseCaseSummaries = "summarize"

// maxModelName is the longest model name accepted in ?model=.
const maxModelName = 512

// checkModelName refuses a model name a caller sends that is too long or
// holds a control character: the name of a refused call is recorded in
// the audit trail and printed by `ticketsum usage --by model`, so an
// escape sequence in it would reach an operator's terminal.
func checkModelName(model string) error {
	switch {
	case len(model) > maxModelName:
		return ticketsum.Errorf(ticketsum.EINVALID, "model name is longer than %d bytes", maxModelName)
	case strings.ContainsFunc(model, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }):
		return ticketsum.Errorf(ticketsum.EINVALID, "model name %q has a control character (rule: printable model names): GET /v1/models lists the models you may call", truncate(model, 80))
	}
	return nil
}

// serveSummary handles POST /v1/summaries.
func (h *Handler) serveSummary(w http.ResponseWriter, r *http.Request, c *caller) {
	start := h.cfg.Clock.Now()
	q := r.URL.Query()
	model := q.Get("model")
	if model == "" {
		model = h.cfg.DefaultModel
	}
	if err := checkModelName(model); err != nil {
		h.fail(w, r, nativeShape, c, err)
		return
	}
	store := false
	if v := q.Get("store"); v != "" {
		var err error
		if store, err = strconv.ParseBool(v); err != nil {
			h.fail(w, r, nativeShape, c, ticketsum.Errorf(ticketsum.EINVALID, "store=%q is not true or false", truncate(v, 20)))
			return
		}
	}
	if store && h.cfg.Store == nil {
		h.fail(w, r, nativeShape, c, ticketsum.Errorf(ticketsum.EINVALID, "store=true is not available: this server has no ticket store"))
		return
	}
	t, err := h.decodeTicket(r.Body)
	if err != nil {
		h.fail(w, r, nativeShape, c, err)
		return
	}
	ctx := r.Context()
	var replaces bool
	if store {
		if replaces, err = h.mayStore(ctx, c, t.ID); err != nil {
			h.recordStore(r, c, t, "denied", err, nil)
			h.fail(w, r, nativeShape, c, err)
			return
		}
	}
	if err := h.cfg.Access.Authorize(ctx, c.Principal, model); err != nil {
		h.recordDenial(r, c, t, model, err)
		h.fail(w, r, nativeShape, c, err)
		return
	}
	sum, err := h.cfg.Summarizers(ctx, SummarizerRequest{Principal: c.Principal.Name, Model: model, RequestID: c.RequestID})
	if err != nil {
		h.fail(w, r, nativeShape, c, fmt.Errorf("summarizer for %s: %w", model, err))
		return
	}
	s, err := sum.Summarize(ctx, t)
	if err != nil {
		h.fail(w, r, nativeShape, c, err)
		return
	}
	s.Principal = c.Principal.Name
	if s.Latency <= 0 {
		s.Latency = h.cfg.Clock.Now().Sub(start)
	}
	resp := SummaryResponse{TicketID: s.TicketID, Summary: s.Text, Status: string(s.Status), Model: s.Model,
		PromptVersion: s.PromptVersion, Usage: s.Usage, CostUSD: s.CostUSD, LatencyMS: s.Latency.Milliseconds(), Flags: s.Flags}
	if store {
		created, err := h.save(r, t, s)
		details := map[string]string{"replaced": strconv.FormatBool(replaces)}
		if err != nil {
			h.recordStore(r, c, t, "error", err, details)
			h.fail(w, r, nativeShape, c, err)
			return
		}
		details["summary_id"], details["summary_created"] = strconv.FormatInt(s.ID, 10), strconv.FormatBool(created)
		h.recordStore(r, c, t, "success", nil, details)
		resp.ID, resp.Created = s.ID, &created
	}
	writeJSON(w, http.StatusOK, resp)
}

// recordDenial records a call refused before any model call in the audit
// trail, as the gateway's audit middleware records the denials it sees: a
// summary of t, or a chat completion (t nil). A failure to record is
// logged; the refusal stands.
func (h *Handler) recordDenial(r *http.Request, c *caller, t *ticketsum.Ticket, model string, err error) {
	if h.cfg.Trail == nil {
		return
	}
	e := &audit.Event{Kind: audit.KindInvocation, Actor: c.Principal.Name, Action: "model.call", Target: model,
		RequestID: c.RequestID, UseCase: UseCaseChat,
		Outcome: "denied", ErrorCode: string(ticketsum.ErrorCodeOf(err)), Details: map[string]string{"source": "api"}}
	if t != nil {
		e.TicketID, e.ProductLine, e.UseCase = t.ID, t.ProductLine, UseCaseSummaries
	}
	if rerr := h.cfg.Trail.Append(context.WithoutCancel(r.Context()), e); rerr != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "record denied summary in the audit trail", "request_id", c.RequestID, "err", rerr)
	}
}

// save stores the ticket and its summary.
func (h *Handler) save(r *http.Request, t *ticketsum.Ticket, s *ticketsum.Summary) (bool, error) {
	if _, err := h.cfg.Store.UpsertTicket(r.Context(), t); err != nil {
		return false, fmt.Errorf("save ticket %s: %w", t.ID, err)
	}
	created, err := h.cfg.Store.SaveSummary(r.Context(), s)
	if err != nil {
		return false, fmt.Errorf("save summary of ticket %s: %w", t.ID, err)
	}
	return created, nil
}

// decodeTicket reads exactly one ticket in the ticket JSON format (the
// format the CLI reads) from body, or returns EINVALID naming the problem.
func (h *Handler) decodeTicket(body io.Reader) (*ticketsum.Ticket, error) {
	d := ticketfile.NewDecoder(body, "request body", ticketfile.Options{MaxTicketBytes: int(h.cfg.MaxBodyBytes), LimitHint: h.cfg.BodyLimitHint})
	t, err := d.Next()
	if err != nil {
		return nil, bodyError(err, bodyLimit{h.cfg.MaxBodyBytes, h.cfg.BodyLimitHint})
	}
	switch _, err := d.Next(); {
	case errors.Is(err, io.EOF):
		return t, nil
	case err == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "request body holds more than one ticket: send one per request")
	default:
		return nil, bodyError(err, bodyLimit{h.cfg.MaxBodyBytes, h.cfg.BodyLimitHint})
	}
}

// bodyError turns a decoding failure into an EINVALID error with a
// specific message; a body over the limit is told what raises it.
func bodyError(err error, limit bodyLimit) error {
	var tooBig *http.MaxBytesError
	var p *ticketfile.Problem
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return slowBody()
	case errors.Is(err, io.EOF):
		return ticketsum.Errorf(ticketsum.EINVALID, "request body is empty: send one ticket as JSON (see docs/ticket-format.md)")
	case errors.As(err, &tooBig):
		return ticketsum.Errorf(ticketsum.EINVALID, "request body is above the limit of %d bytes%s", limit.bytes, limit.suffix())
	case errors.As(err, &p):
		return ticketsum.Errorf(ticketsum.EINVALID, "%s", p.Error())
	case ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID:
		return ticketsum.Errorf(ticketsum.EINVALID, "%s", ticketsum.ClientMessage(err))
	}
	return ticketsum.Errorf(ticketsum.EINVALID, "cannot read the request body")
}

// truncate shortens s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}
