package source_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/source"
)

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	good := e.mapping()
	tests := []struct {
		name   string
		change func(c *source.Config)
		want   string
	}{
		{"injection in table", func(c *source.Config) { c.Tickets.Table = "tickets; DROP TABLE tickets" }, "tickets.table"},
		{"three-part name", func(c *source.Config) { c.Messages.Table = "a.b.c" }, "at most schema.name"},
		{"quote in column", func(c *source.Config) { c.Tickets.Subject = `subject"` }, "tickets.subject"},
		{"dotted column", func(c *source.Config) { c.Messages.Body = "m.body" }, "messages.body"},
		{"no messages table", func(c *source.Config) { c.Messages.Table = "" }, "messages.table are required"},
		{"bad role", func(c *source.Config) { c.Messages.Roles = map[string]string{"x": "boss"} }, "customer, agent or internal"},
		{"both modes", func(c *source.Config) { c.ThreadQuery = "SELECT 1" }, "not both"},
		{"write-back not update", func(c *source.Config) { c.WriteBack = "DELETE FROM tickets WHERE id = $1" }, "write_back must start with UPDATE"},
		{"two statements", func(c *source.Config) {
			c.WriteBack = "UPDATE tickets SET ai_summary = $2 WHERE id = $1; DROP TABLE tickets"
		}, "single statement"},
		{"bad channel", func(c *source.Config) { c.Channel = "Bad-Channel" }, "channel"},
		{"batch too big", func(c *source.Config) { c.BatchSize = 1 << 30 }, "batch_size"},
		{"missing column", func(c *source.Config) { c.Tickets.Subject = "title" }, "does not match the database"},
		{"missing table", func(c *source.Config) { c.Messages.Table = "nowhere" }, "does not match the database"},
		{"query without changes", func(c *source.Config) {
			c.Mapping = source.Mapping{ThreadQuery: "SELECT kind AS role, content AS body FROM messages WHERE ticket_id = $1"}
		}, "changes_query is required"},
		{"query that deletes", func(c *source.Config) {
			c.Mapping = source.Mapping{
				ThreadQuery:  "DELETE FROM messages WHERE ticket_id = $1 RETURNING kind AS role, content AS body",
				ChangesQuery: "SELECT id, updated_at FROM tickets LIMIT $3",
			}
		}, "thread_query must start with SELECT or WITH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := source.Config{Mapping: good, Enqueue: e.jobs.enqueue}
			cfg.SearchPath = e.team
			cfg.Messages.Roles = map[string]string{"end_user": "customer"}
			tt.change(&cfg)
			_, err := source.Open(context.Background(), e.store, cfg)
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open: err = %v, want invalid mentioning %q", err, tt.want)
			}
		})
	}
}

func TestTeamQueriesCannotWrite(t *testing.T) {
	t.Parallel()
	e := mustEnv(t)
	e.addTicket(t, 1, t0, 2)
	// A WITH that deletes passes the keyword check; the read-only
	// transaction stops it.
	cfg := source.Config{Mapping: source.Mapping{
		ThreadQuery:  "SELECT kind AS role, content AS body FROM messages WHERE ticket_id = $1::bigint",
		ChangesQuery: "SELECT id::text AS id, updated_at FROM tickets WHERE (updated_at, id) > ($1, $2::bigint) ORDER BY tickets.updated_at, tickets.id LIMIT $3",
		CountQuery:   "WITH gone AS (DELETE FROM messages RETURNING 1) SELECT count(*) FROM tickets WHERE updated_at >= $1",
	}, Enqueue: e.jobs.enqueue}
	cfg.SearchPath = e.team
	_, err := source.Open(context.Background(), e.store, cfg)
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "may only read") {
		t.Fatalf("Open with a count query that deletes: err = %v, want invalid, read-only", err)
	}
	var n int
	if err := e.admin.QueryRow(context.Background(), `SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("messages left = %d, want 2", n)
	}
}
