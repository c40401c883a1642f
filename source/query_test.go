package source_test

import (
	"context"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/source"
)

func TestQueryModeReadsThreads(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	for id := 1; id <= 3; id++ {
		e.addTicket(t, id, t0, 3)
	}
	s := e.open(t, source.Config{Mapping: source.Mapping{
		ThreadQuery: `SELECT t.subject, t.product AS product_line, m.kind AS role, m.author, m.sent_at AS at, m.content AS body
			FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE t.id = $1 ORDER BY m.sent_at, m.id`,
		ChangesQuery: `SELECT id, updated_at FROM tickets WHERE (updated_at, id) > ($1, $2) ORDER BY updated_at, id LIMIT $3`,
		CountQuery:   `SELECT count(*) FROM tickets WHERE updated_at >= $1`,
		Messages:     source.MessagesTable{Roles: map[string]string{"end_user": "customer", "staff": "agent", "note": "internal"}},
	}, BatchSize: 2})
	p, err := s.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 3 || p.Queued != 3 {
		t.Errorf("backfill = %+v, want 3 of 3 queued", p)
	}
	got, err := e.store.FindTicket(context.Background(), "3")
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Refund 3" || got.ProductLine != "billing" || len(got.Messages) != 3 || got.Messages[1].Role != ticketsum.RoleAgent {
		t.Errorf("ticket 3 = %+v", got)
	}
	if !got.UpdatedAt.Equal(t0) {
		t.Errorf("updated at = %v, want the changes query's %v", got.UpdatedAt, t0)
	}
}

func TestWriteBackUpdatesTheTeamsTable(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	e.addTicket(t, 7, t0, 2)
	s := e.open(t, source.Config{Mapping: source.Mapping{WriteBack: "UPDATE tickets SET ai_summary = $2, ai_summary_status = $3 WHERE id = $1"}})
	if _, err := s.Backfill(context.Background(), source.BackfillOptions{Since: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// No summary yet: nothing to write.
	if err := s.WriteBack(context.Background(), "7"); err != nil {
		t.Fatal(err)
	}
	tk, _ := e.store.FindTicket(context.Background(), "7")
	sum := &ticketsum.Summary{TicketID: "7", Text: "The customer asked for a refund; the agent issued it.", Status: ticketsum.StatusResolved,
		Model: "builtin", PromptVersion: "v1", ContentHash: tk.ContentHash()}
	if _, err := e.store.SaveSummary(context.Background(), sum); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := s.WriteBack(context.Background(), "7"); err != nil {
			t.Fatal(err)
		}
	}
	var text, status *string
	if err := e.admin.QueryRow(context.Background(), `SELECT ai_summary, ai_summary_status FROM tickets WHERE id = 7`).Scan(&text, &status); err != nil {
		t.Fatal(err)
	}
	if text == nil || *text != sum.Text || status == nil || *status != "resolved" {
		t.Errorf("written back: %v, %v", text, status)
	}
}
