// Package lambda is the AWS Lambda entry point for SQS events: each message
// names a ticket (as an EventBridge rule or the team's own code sends it),
// and the handler summarises and writes back each one, reporting partial
// batch failures so that only the messages that failed are retried.
package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/ticketsum/ticketsum"
)

// Processor summarises and saves one ticket by id; summarize.Pipeline is one.
type Processor interface {
	Process(ctx context.Context, ticketID string) error
}

// Config configures a Handler.
type Config struct {
	// Processor does the work. Required.
	Processor Processor
	// Logger receives one line per failed message, never ticket text.
	// Default: discard.
	Logger *slog.Logger
}

// Handler handles SQS events.
type Handler struct {
	cfg Config
}

// New returns a handler, or EINVALID without a Processor.
func New(cfg Config) (*Handler, error) {
	if cfg.Processor == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "lambda: Config.Processor is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg}, nil
}

// Handle processes every message of the batch and returns the ids of the
// messages to retry. A message fails (and is retried, then moved to the
// dead-letter queue by SQS after maxReceiveCount) when its body names no
// ticket or when processing fails with a retryable error (throttling,
// unavailability, an internal error). A ticket that cannot be summarised on
// any retry (invalid, not found, forbidden by policy) is logged with its
// reason and not retried.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range ev.Records {
		if err := h.handleMessage(ctx, m); err != nil {
			h.cfg.Logger.ErrorContext(ctx, "message failed; SQS will retry it", "message_id", m.MessageId,
				"code", string(ticketsum.ErrorCodeOf(err)), "error", ticketsum.ErrorMessage(err))
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

// handleMessage returns an error only when the message should be retried.
func (h *Handler) handleMessage(ctx context.Context, m events.SQSMessage) error {
	id, err := TicketID(m.Body)
	if err != nil {
		return err
	}
	err = h.cfg.Processor.Process(ctx, id)
	switch code := ticketsum.ErrorCodeOf(err); {
	case err == nil:
		return nil
	case code == ticketsum.EINVALID || code == ticketsum.ENOTFOUND || code == ticketsum.EFORBIDDEN:
		h.cfg.Logger.WarnContext(ctx, "ticket not summarised; not retrying", "message_id", m.MessageId,
			"ticket_id", id, "code", string(code), "reason", ticketsum.ErrorMessage(err))
		return nil
	default:
		return fmt.Errorf("ticket %s: %w", id, err)
	}
}

// message is the JSON a message body may hold: {"ticket_id": "..."}, or an
// EventBridge event whose detail holds it.
type message struct {
	TicketID string          `json:"ticket_id"`
	ID       string          `json:"id"`
	Detail   json.RawMessage `json:"detail"`
	Source   string          `json:"source"`
}

// TicketID extracts the ticket id from a message body: a bare id, a JSON
// object {"ticket_id": ...}, or an EventBridge event with the id in
// "detail" (as {"ticket_id"} or {"id"}). It returns EINVALID when there is
// none.
func TicketID(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "message body is empty, want a ticket id")
	}
	if !strings.HasPrefix(body, "{") {
		if strings.ContainsAny(body, "\n\r\"") || len(body) > ticketsum.MaxIDLength || !utf8.ValidString(body) {
			return "", ticketsum.Errorf(ticketsum.EINVALID, "message body is not a ticket id or a JSON object")
		}
		return body, nil
	}
	var m message
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return "", ticketsum.Errorf(ticketsum.EINVALID, "message body is not valid JSON: %v", err)
	}
	if len(m.Detail) > 0 && m.Source != "" { // EventBridge envelope
		var d message
		if err := json.Unmarshal(m.Detail, &d); err != nil {
			return "", ticketsum.Errorf(ticketsum.EINVALID, "EventBridge detail is not a JSON object: %v", err)
		}
		m = d
	}
	id := m.TicketID
	if id == "" {
		id = m.ID
	}
	if id == "" || len(id) > ticketsum.MaxIDLength {
		return "", ticketsum.Errorf(ticketsum.EINVALID, `message names no ticket: want {"ticket_id": "..."}`)
	}
	return id, nil
}
