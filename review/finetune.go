package review

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// FinetuneSchemaVersion is the schemaVersion of Amazon Bedrock's
// conversational fine-tuning records (the Converse API format).
const FinetuneSchemaVersion = "bedrock-conversation-2024"

// DefaultFinetuneSystem is the system prompt of exported records.
const DefaultFinetuneSystem = "You summarise customer-support tickets for reviewers. Write one paragraph of at most 60 words in the neutral tone of a knowledge-base article: the customer's issue, what the agent did, and whether it is resolved. Never include names, emails or other personal data. Write in English whatever the ticket's language."

// FinetuneRecord is one line of the export, in Bedrock's conversational
// fine-tuning format.
type FinetuneRecord struct {
	SchemaVersion string            `json:"schemaVersion"`
	System        []FinetuneText    `json:"system"`
	Messages      []FinetuneMessage `json:"messages"`
}

// FinetuneText is a text content block.
type FinetuneText struct {
	Text string `json:"text"`
}

// FinetuneMessage is one turn: role "user" or "assistant".
type FinetuneMessage struct {
	Role    string         `json:"role"`
	Content []FinetuneText `json:"content"`
}

// FinetuneConfig says where the export reads from and how it redacts.
type FinetuneConfig struct {
	// Reviews lists the approved and edited summaries. Required.
	Reviews Store
	// Tickets finds each summary's ticket. Required.
	Tickets ticketsum.TicketStore
	// Redact removes personal data from a text of ticket t (the rendered
	// ticket, then the summary); wire the guard's anonymiser here.
	// Required: there is no export without redaction.
	Redact func(ctx context.Context, t *ticketsum.Ticket, text string) (string, error)
	// Check runs on the redacted texts and returns the kinds of personal
	// data still found (such as "EMAIL"), never the values. A record with
	// any finding is not written. Required.
	Check func(ctx context.Context, t *ticketsum.Ticket, text string) ([]string, error)
	// Render turns a ticket into the user turn. Default Transcript.
	Render func(t *ticketsum.Ticket) string
	// System is the system prompt. Default DefaultFinetuneSystem.
	System string
}

// FinetuneStats reports what an export wrote and what it left out.
type FinetuneStats struct {
	Written int `json:"written"`
	// Skipped lists the reviewed summaries not written, and why.
	Skipped []SkippedRecord `json:"skipped,omitempty"`
}

// SkippedRecord is a reviewed summary the export left out.
type SkippedRecord struct {
	TicketID  string `json:"ticket_id"`
	SummaryID int64  `json:"summary_id"`
	Reason    string `json:"reason"`
}

// ExportFinetune writes the approved and edited summaries with their
// redacted tickets to w as JSONL for Amazon Bedrock model customisation
// (conversational fine-tuning, schemaVersion "bedrock-conversation-2024"):
// a system prompt, the ticket as the user turn and the summary as the
// assistant turn. Each ticket appears once, with its most recently reviewed
// summary. Summaries of a thread that has changed since, tickets that no
// longer exist, and records in which Check still finds personal data after
// Redact are skipped and listed in the stats. It returns EINVALID for a
// config without Redact or Check.
func ExportFinetune(ctx context.Context, w io.Writer, cfg FinetuneConfig) (*FinetuneStats, error) {
	switch {
	case cfg.Reviews == nil || cfg.Tickets == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "finetune export: Reviews and Tickets are required")
	case cfg.Redact == nil || cfg.Check == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "finetune export: Redact and Check are required; it never writes unredacted tickets")
	}
	if cfg.Render == nil {
		cfg.Render = Transcript
	}
	if cfg.System == "" {
		cfg.System = DefaultFinetuneSystem
	}
	items, err := cfg.Reviews.ListReviewed(ctx)
	if err != nil {
		return nil, fmt.Errorf("finetune export: %w", err)
	}
	latest := map[string]int{} // ticket -> index of its last reviewed item
	for i, it := range items {
		latest[it.TicketID] = i
	}
	stats := &FinetuneStats{}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i, it := range items {
		if latest[it.TicketID] != i {
			continue
		}
		rec, reason, err := finetuneRecord(ctx, cfg, it)
		if err != nil {
			return stats, err
		}
		if reason != "" {
			stats.Skipped = append(stats.Skipped, SkippedRecord{TicketID: it.TicketID, SummaryID: it.SummaryID, Reason: reason})
			continue
		}
		if err := enc.Encode(rec); err != nil {
			return stats, fmt.Errorf("finetune export: write: %w", err)
		}
		stats.Written++
	}
	return stats, nil
}

// finetuneRecord builds the record of one reviewed summary, or says why it
// is skipped.
func finetuneRecord(ctx context.Context, cfg FinetuneConfig, it *QueueItem) (*FinetuneRecord, string, error) {
	t, err := cfg.Tickets.FindTicket(ctx, it.TicketID)
	if ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND {
		return nil, "ticket no longer exists", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("finetune export: load ticket %s: %w", it.TicketID, err)
	}
	if it.ContentHash != "" && t.ContentHash() != it.ContentHash {
		return nil, "the thread changed after the summary was written", nil
	}
	var texts [2]string
	for i, raw := range []string{cfg.Render(t), it.Final()} {
		red, err := cfg.Redact(ctx, t, raw)
		if err != nil {
			if c := ticketsum.ErrorCodeOf(err); c == ticketsum.EFORBIDDEN || c == ticketsum.EINVALID {
				return nil, "redaction refused the text: " + ticketsum.ErrorMessage(err), nil
			}
			return nil, "", fmt.Errorf("finetune export: redact ticket %s: %w", it.TicketID, err)
		}
		found, err := cfg.Check(ctx, t, red)
		if err != nil {
			return nil, "", fmt.Errorf("finetune export: check ticket %s: %w", it.TicketID, err)
		}
		if len(found) > 0 {
			return nil, "personal data remains after redaction: " + strings.Join(found, ", "), nil
		}
		texts[i] = red
	}
	return &FinetuneRecord{
		SchemaVersion: FinetuneSchemaVersion,
		System:        []FinetuneText{{Text: cfg.System}},
		Messages: []FinetuneMessage{
			{Role: "user", Content: []FinetuneText{{Text: texts[0]}}},
			{Role: "assistant", Content: []FinetuneText{{Text: texts[1]}}},
		},
	}, "", nil
}

// Transcript renders a ticket as plain text for a fine-tuning record: the
// subject and product line, then each message as "[role] body". Authors
// and the customer's contact fields are left out.
func Transcript(t *ticketsum.Ticket) string {
	parts := []string{"Summarise this support ticket."}
	var head []string
	if t.Subject != "" {
		head = append(head, "Subject: "+t.Subject)
	}
	if t.ProductLine != "" {
		head = append(head, "Product line: "+t.ProductLine)
	}
	if len(head) > 0 {
		parts = append(parts, strings.Join(head, "\n"))
	}
	for _, m := range t.Messages {
		parts = append(parts, fmt.Sprintf("[%s] %s", m.Role, strings.TrimSpace(m.Body)))
	}
	return strings.Join(parts, "\n\n")
}
