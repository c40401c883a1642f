package cli

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketsum/ticketsum/bedrocktest"
)

// piiValues are the personal data of goodTicket.
var piiValues = []string{"Ana Lima", "ana.lima@example.com", "Sam Reyes", "7946 0958", "+44 20 7946"}

// TestNoPIIAtRest runs a full governed run (import, worker on the fake
// Bedrock, encrypted invocation log, audit trail, access tables) and scans
// everything it wrote: every file except the ticket store itself, every
// table of the database except the tickets the team imported, and the
// process's own log output. No personal value of the ticket may appear in
// plain text anywhere.
func TestNoPIIAtRest(t *testing.T) {
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		// The model echoes part of its input, as a careless model might.
		Responder: func(model, prompt string) string {
			return "The customer could not log in; the agent reset the password and the customer confirmed. " +
				firstWords(prompt, 12) + "\nSTATUS: resolved"
		},
	})
	setAWSEnv(t, srv)
	cfg := tempConfig(t)
	dir := filepath.Dir(cfg)
	db := filepath.Join(dir, "ticketsum.db")
	const model = "bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0"
	var logs syncBuffer
	runLogged := func(ctx context.Context, stdin string, args ...string) int {
		return Main(ctx, args, strings.NewReader(stdin), io.Discard, &logs, func(string) string { return "" })
	}
	if code := runLogged(context.Background(), "", "models", "approve", "--config", cfg, model); code != exitOK {
		t.Fatalf("approve: exit %d: %s", code, logs.String())
	}
	if code := runLogged(context.Background(), strings.ReplaceAll(goodTicket, "\n", "")+"\n", "import", "--config", cfg, "-"); code != exitOK {
		t.Fatalf("import: exit %d: %s", code, logs.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runLogged(ctx, "", "worker", "--config", cfg, "--model", model, "--log-level", "debug")
	}()
	waitForSummary(t, db, done, &logs)
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("worker: exit %d: %s", code, logs.String())
	}
	if n := srv.Stats().Succeeded; n == 0 {
		t.Fatal("the fake model answered no call")
	}

	var scanned int
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), "ticketsum.db") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		assertNoPII(t, path, string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 3 { // config, the invocation log, its key, the audit signing keys
		t.Fatalf("scanned only %d files", scanned)
	}
	assertNoPII(t, "the process's log output", logs.String())
	for table, text := range dumpTables(t, db) {
		if table != "tickets" {
			assertNoPII(t, "table "+table, text)
		}
	}
}

func assertNoPII(t *testing.T, where, text string) {
	t.Helper()
	for _, v := range piiValues {
		if strings.Contains(text, v) {
			t.Errorf("%s holds %q in plain text", where, v)
		}
	}
}

// waitForSummary polls the SQLite store until a summary exists.
func waitForSummary(t *testing.T, path string, done chan int, logs fmt.Stringer) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var lastErr error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		var n int
		lastErr = conn.QueryRow(`SELECT count(*) FROM summaries`).Scan(&n)
		if lastErr == nil && n > 0 {
			return
		}
		select {
		case code := <-done:
			t.Fatalf("worker exited %d before a summary was saved", code)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no summary saved within 60s (last error %v); logs:\n%s", lastErr, logs.String())
}

// dumpTables returns every row of every table of the SQLite database as
// text, by table name.
func dumpTables(t *testing.T, path string) map[string]string {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	out := map[string]string{}
	for _, table := range tables {
		r, err := conn.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		var b strings.Builder
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v\t", v)
			}
			b.WriteByte('\n')
		}
		r.Close()
		out[table] = b.String()
	}
	if !strings.Contains(out["tickets"], "ana.lima@example.com") {
		t.Fatal("the dump is blind: the imported ticket's own email is not in the tickets table")
	}
	return out
}

// firstWords returns up to n words of the prompt's ticket part.
func firstWords(prompt string, n int) string {
	if i := strings.Index(prompt, "<ticket>"); i >= 0 {
		prompt = prompt[i:]
	}
	f := strings.Fields(prompt)
	return strings.Join(f[:min(n, len(f))], " ")
}
