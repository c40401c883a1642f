package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTrailCommitConfig: governance.trail_commit is checked like every
// setting (a bad value is refused by summarize, serve and worker alike,
// with the key and the allowed values, exit 2), and async reaches the
// audit trail of serve and worker: each logs, at start, what the setting
// does on its store (Postgres: commits without the WAL flush; SQLite:
// nothing changes), which audit.Trail.Run logs from its TrailConfig.
// Postgres runs only with TICKETSUM_TEST_DATABASE_URL.
func TestTrailCommitConfig(t *testing.T) {
	t.Parallel()
	bad := writeFile(t, "bad.yaml", "data_dir: "+t.TempDir()+"\ngovernance:\n  trail_commit: lazy\n")
	for _, cmd := range [][]string{{"summarize"}, {"serve", "--addr", "127.0.0.1:0"}, {"worker"}} {
		r := run(t, context.Background(), goodTicket, append(cmd, "--config", bad)...)
		want := `governance.trail_commit: must be flushed (wait for the WAL flush, the default) or async (Postgres: do not; docs/governance.md), got "lazy"`
		if r.code != exitUsage || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%s with trail_commit lazy: exit %d, stderr %q; want exit %d and %q", cmd[0], r.code, r.stderr, exitUsage, want)
		}
	}

	type store struct{ name, db, want string }
	stores := []store{{"sqlite", "", "changes nothing on SQLite"}}
	if base := os.Getenv("TICKETSUM_TEST_DATABASE_URL"); base != "" {
		stores = append(stores, store{"postgres", mustScaleDatabase(t, base), "commit without waiting for the WAL flush"})
	}
	for _, s := range stores {
		for _, cmd := range [][]string{{"serve", "--addr", "127.0.0.1:0", "--no-sample"}, {"worker"}} {
			t.Run(s.name+"/"+cmd[0], func(t *testing.T) {
				dir := t.TempDir()
				// A provider model: the worker opens governance for it (the
				// built-in model makes no governed calls). No call is made.
				body := "data_dir: " + dir + "\nlog_level: info\nmodel: openai:m\nopenai:\n  base_url: http://127.0.0.1:9/v1\n  api_key_env: TS_TEST_KEY\n" +
					"governance:\n  trail_commit: async\n"
				if s.db != "" {
					body += "db: " + s.db + "\n"
				}
				cfg := filepath.Join(dir, "ticketsum.yaml")
				if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var errb syncBuffer
				done := make(chan int, 1)
				go func() {
					done <- Main(ctx, append(cmd, "--config", cfg), strings.NewReader(""), io.Discard, &errb, func(k string) string {
						if k == "TS_TEST_KEY" {
							return "upstream-key"
						}
						return ""
					})
				}()
				waitFor(t, &errb, regexp.MustCompile(`(audit trail: [^\n]*`+regexp.QuoteMeta(s.want)+`)`), done)
				cancel()
				select {
				case code := <-done:
					if code != exitOK {
						t.Errorf("%s exited %d after its context ended: %s", cmd[0], code, errb.String())
					}
				case <-time.After(60 * time.Second):
					t.Fatalf("%s did not stop: %s", cmd[0], errb.String())
				}
			})
		}
	}
}
