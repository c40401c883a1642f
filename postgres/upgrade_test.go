package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// TestUpgradeFromFirstVersion opens a schema that only the first migration
// made, holding a ticket with a summary, and checks that the later
// migrations keep the data and make it searchable.
func TestUpgradeFromFirstVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, schema := dbtest.PostgresSchema(t)
	migs, err := sqldb.LoadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE SCHEMA IF NOT EXISTS ` + schema,
		`SET search_path TO ` + schema,
		migs[0].SQL,
		`CREATE TABLE ticketsum_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
		`INSERT INTO ticketsum_migrations VALUES (1, '001_init.sql', now())`,
		`INSERT INTO tickets (id, product_line, search, content_hash, sort_at, doc, stored_at)
			VALUES ('T-1', 'billing', 't-1` + "\n" + `login fails', 'h1', now(), '{"id":"T-1","subject":"Login fails","messages":[{"role":"customer","body":"x"}]}', now())`,
		`INSERT INTO summaries (ticket_id, content_hash, model, prompt_version, text, status, input_tokens, output_tokens,
			cache_read_tokens, cache_write_tokens, cost_usd, latency_us, requested_model, principal, flags, created_at)
			VALUES ('T-1', 'h1', 'builtin', 'v1', 'The agent reset the password.', 'resolved', 1, 1, 0, 0, 0, 0, '', 'w', '[]', now())`,
		`UPDATE tickets SET current_summary_id = (SELECT id FROM summaries)`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	conn.Close(ctx)
	s, err := Open(ctx, Config{URL: url, Schema: schema, MaxConns: dbtest.MaxConns})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{"password", "login", "t-1"} {
		views, total, err := s.ListTickets(ctx, ticketsum.TicketFilter{Query: q})
		if err != nil || total != 1 || views[0].Current == nil || views[0].Current.Regeneration != 0 {
			t.Errorf("search %q after the upgrade: %d found (%v), want T-1 with its summary", q, total, err)
		}
	}
}
