package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/sqldb"
)

// TestUpgradeFromFirstVersion opens a database that only the first
// migration made, holding a ticket with a summary, and checks that the
// later migrations keep the data and make it searchable.
func TestUpgradeFromFirstVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	migs, err := sqldb.LoadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		migs[0].SQL,
		`CREATE TABLE ticketsum_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
		`INSERT INTO ticketsum_migrations VALUES (1, '001_init.sql', 1)`,
		`INSERT INTO tickets (id, product_line, search, content_hash, sort_at, doc, stored_at)
			VALUES ('T-1', 'billing', 't-1` + "\n" + `login fails', 'h1', 5, '{"id":"T-1","subject":"Login fails","messages":[{"role":"customer","body":"x"}]}', 5)`,
		`INSERT INTO summaries (ticket_id, content_hash, model, prompt_version, text, status, input_tokens, output_tokens,
			cache_read_tokens, cache_write_tokens, cost_usd, latency_us, requested_model, principal, flags, created_at)
			VALUES ('T-1', 'h1', 'builtin', 'v1', 'The agent reset the password.', 'resolved', 1, 1, 0, 0, 0, 0, '', 'w', '[]', 6)`,
		`UPDATE tickets SET current_summary_id = 1`,
	} {
		if _, err := raw.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	raw.Close()
	s, err := Open(ctx, Config{Path: path})
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
	// New tickets get their own search rows after the old ones.
	if _, err := s.UpsertTicket(ctx, &ticketsum.Ticket{ID: "T-2", Subject: "Printer jams", Messages: []ticketsum.Message{{Role: ticketsum.RoleCustomer, Body: "y"}}}); err != nil {
		t.Fatal(err)
	}
	if _, total, err := s.ListTickets(ctx, ticketsum.TicketFilter{Query: "printer"}); err != nil || total != 1 {
		t.Errorf("search of a ticket added after the upgrade: %d (%v), want 1", total, err)
	}
}
