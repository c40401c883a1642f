package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum/review"
)

// TestExportFinetuneWritesReviewedSummaries walks the fine-tuning export as
// a team does: summaries made by a worker and sampled into the review
// queue, one approved by a reviewer, then `export finetune --out F`. The
// approved summary is written to F (private to the owner), the count is the
// command's result on stdout, and the pending ones are not exported.
func TestExportFinetuneWritesReviewedSummaries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := writeFile(t, "ticketsum.yaml", "data_dir: "+dir+"\nserver:\n  review_share: 1\n")
	tickets := writeFile(t, "t.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n"+
		strings.NewReplacer("\n", "", `"T-1"`, `"T-2"`, "Cannot log in", "Locked out").Replace(goodTicket)+"\n")
	subjects := map[string]string{"T-1": "Cannot log in", "T-2": "Locked out"}
	for _, args := range [][]string{{"import", tickets}, {"worker", "--until-idle"}} {
		if r := run(t, ctx, "", append(args, "--config", cfg)...); r.code != exitOK {
			t.Fatalf("%s: %+v", args[0], r)
		}
	}
	r := run(t, ctx, "", "review", "queue", "--json", "--config", cfg)
	var items []struct {
		SummaryID int64  `json:"summary_id"`
		TicketID  string `json:"ticket_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) != 2 {
		t.Fatalf("review queue --json: %v, %d items: %+v", err, len(items), r)
	}

	// A reviewer approves one (the web UI's decision, through the same store).
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "ticketsum.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	st, err := review.NewSQLStore(db, review.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, items[0].SummaryID, review.Decision{State: review.Approved, Reviewer: "pm"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out := filepath.Join(t.TempDir(), "finetune.jsonl")
	r = run(t, ctx, "", "export", "finetune", "--out", out, "--config", cfg, "--log-level", "warn")
	if r.code != exitOK || r.stdout != "wrote 1 record to "+out+", skipped 0\n" || r.stderr != "" {
		t.Fatalf("export finetune: %+v; want the count on stdout and nothing on stderr", r)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600 (it holds ticket text)", out, fi.Mode().Perm())
	}
	b, _ := os.ReadFile(out)
	other := subjects["T-1"]
	if items[0].TicketID == "T-1" {
		other = subjects["T-2"]
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "Subject: "+subjects[items[0].TicketID]) || strings.Contains(lines[0], other) {
		t.Errorf("exported %d records, want the approved summary of %s only:\n%s", len(lines), items[0].TicketID, b)
	}
	for _, pii := range []string{"Ana", "ana.lima", "7946"} {
		if strings.Contains(string(b), pii) {
			t.Errorf("the export holds personal data %q:\n%s", pii, b)
		}
	}
}
