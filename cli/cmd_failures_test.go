package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sqlite"
)

// TestFailuresListAndRetry imports two tickets, marks one failed as a
// worker would, and checks what `failures list` and `failures retry` print
// and exit with.
func TestFailuresListAndRetry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	tickets := writeFile(t, "t.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n"+
		strings.ReplaceAll(strings.ReplaceAll(goodTicket, "\n", ""), `"T-1"`, `"T-2"`)+"\n")
	if r := run(t, ctx, "", "import", "--data-dir", dir, tickets); r.code != exitOK {
		t.Fatalf("import: %+v", r)
	}
	if r := run(t, ctx, "", "failures", "list", "--data-dir", dir); r.code != exitOK || r.stdout != "no failed tickets\n" {
		t.Fatalf("list with none failed: %+v", r)
	}
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "ticketsum.db")})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := st.FindTicket(ctx, "T-1")
	if err != nil {
		t.Fatal(err)
	}
	reason := "model bedrock:x is not approved; run: ticketsum models approve bedrock:x"
	err = st.RecordFailure(ctx, &ticketsum.Failure{TicketID: "T-1", ContentHash: tk.ContentHash(), Code: ticketsum.EFORBIDDEN,
		Class: ticketsum.ClassConfig, Reason: reason, Attempts: 1, LastAttemptAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	r := run(t, ctx, "", "failures", "list", "--data-dir", dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "TICKET") || !strings.Contains(r.stdout, "T-1") ||
		!strings.Contains(r.stdout, "config") || !strings.Contains(r.stdout, "2026-03-01 09:30:00") || !strings.Contains(r.stdout, reason) {
		t.Errorf("list: %+v", r)
	}
	r = run(t, ctx, "", "failures", "list", "--data-dir", dir, "--json", "--class", "config")
	var list []ticketsum.Failure
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || r.code != exitOK || len(list) != 1 || list[0].Reason != reason {
		t.Errorf("list --json: %v, %+v", err, r)
	}
	if r := run(t, ctx, "", "failures", "list", "--data-dir", dir, "--json", "--class", "policy"); r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("list of a class without failures: %+v, want []", r)
	}

	usage := []struct {
		args []string
		want string
	}{
		{[]string{"failures", "retry"}, "name the failed tickets"},
		{[]string{"failures", "retry", "--all", "T-1"}, "not both"},
		{[]string{"failures", "retry", "--class", "config", "T-1"}, "--class goes with --all"},
		{[]string{"failures", "list", "--class", "fatal"}, "--class: want retryable"},
	}
	for _, u := range usage {
		if r := run(t, ctx, "", append(u.args, "--data-dir", dir)...); r.code != exitUsage || !strings.Contains(r.stderr, u.want) {
			t.Errorf("%v: %+v, want exit 2 saying %q", u.args, r, u.want)
		}
	}

	// The import queued both; after a worker ran, retrying queues a new job.
	r = run(t, ctx, "", "failures", "retry", "--data-dir", dir, "--json", "T-1", "T-2")
	var done []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &done); err != nil || r.code != exitUsage || len(done) != 1 || done[0]["ticket_id"] != "T-1" ||
		!strings.Contains(r.stderr, "not failed (unknown, or summarised since): T-2") {
		t.Errorf("retry T-1 T-2: %v %+v; want T-1 retried (its job already waits) and exit 2 naming T-2", err, r)
	}
	r = run(t, ctx, "", "failures", "retry", "--data-dir", dir, "--all")
	if r.code != exitOK || r.stdout != "T-1: already queued\n" || !strings.Contains(r.stderr, "1 ticket retried") {
		t.Errorf("retry --all: %+v", r)
	}
}

// TestServeRegenerates asks serve's API for a regeneration of an unchanged
// thread and waits for the worker to make it: a second summary, numbered 1,
// now current.
func TestServeRegenerates(t *testing.T) {
	t.Parallel()
	addr, done, _, stop := serveOneTicket(t, nil)
	waitForPage(t, addr+"/api/tickets/T-1", `"state": "summarized"`, done)
	resp, err := http.Post(addr+"/api/tickets/T-1/regenerate?force=true", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(body), `"regeneration": 1`) {
		t.Fatalf("regenerate: %d %s", resp.StatusCode, body)
	}
	// The page reads the current summary and the history one after the
	// other, so the new regeneration may show in the history a moment
	// before it is current: wait until it is current.
	var detail struct {
		Summary struct {
			Regeneration int `json:"regeneration"`
		} `json:"summary"`
		History []json.RawMessage `json:"history"`
	}
	for deadline := time.Now().Add(60 * time.Second); detail.Summary.Regeneration != 1; {
		page := waitForPage(t, addr+"/api/tickets/T-1", `"regeneration": 1`, done)
		if err := json.Unmarshal([]byte(page), &detail); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("regeneration 1 never became current:\n%s", page)
		}
	}
	if len(detail.History) != 2 {
		t.Errorf("after the regeneration: %d summaries in the history, want the first and the regeneration", len(detail.History))
	}
	stop()
}
