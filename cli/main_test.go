package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader in parallel.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// result is what one run of Main did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs Main with args and stdin, with an empty environment. A test
// that writes gives a data directory (tempConfig, --data-dir); TestMain
// fails the run if one wrote into the source tree.
func run(t *testing.T, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	var out, errb syncBuffer
	code := Main(ctx, args, strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
	return result{code, out.String(), errb.String()}
}

// TestMain fails the run when a test left the default data directory in
// the package's directory: every test must write in a temporary one.
func TestMain(m *testing.M) {
	code := m.Run()
	if _, err := os.Stat(defaultDataDir); err == nil {
		fmt.Fprintf(os.Stderr, "a test wrote %s/ in the source tree; give it a data directory (tempConfig or --data-dir)\n", defaultDataDir)
		os.RemoveAll(defaultDataDir)
		code = 1
	}
	if _, err := os.Stat(defaultConfigFile); err == nil {
		fmt.Fprintf(os.Stderr, "a test wrote %s in the source tree; give it --config in a temporary directory\n", defaultConfigFile)
		os.Remove(defaultConfigFile)
		code = 1
	}
	os.Exit(code)
}

const goodTicket = `{"id":"T-1","subject":"Cannot log in","product_line":"web","customer":{"name":"Ana Lima","email":"ana.lima@example.com"},
"messages":[{"role":"customer","author":"Ana Lima","body":"Hi, I cannot log in to the dashboard since yesterday. It says my password is invalid. Call me on +44 20 7946 0958."},
{"role":"agent","author":"Sam Reyes","body":"Hi Ana, I have reset your password and sent you a reset link. Please try again."},
{"role":"customer","author":"Ana Lima","body":"That worked, thank you!"}]}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSummarizeJSON(t *testing.T) {
	t.Parallel()
	r := run(t, context.Background(), goodTicket, "summarize", "--json", "-")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var got summaryJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, r.stdout)
	}
	if got.TicketID != "T-1" || got.Model != "builtin" || got.Status != "resolved" || got.PromptVersion == "" {
		t.Fatalf("summary = %+v", got)
	}
	if n := len(strings.Fields(got.Summary)); n == 0 || n > 60 {
		t.Fatalf("summary has %d words: %q", n, got.Summary)
	}
	for _, pii := range []string{"Ana", "Lima", "Sam", "Reyes", "ana.lima@example.com", "7946"} {
		if strings.Contains(got.Summary, pii) {
			t.Errorf("summary contains %q: %q", pii, got.Summary)
		}
	}
}

func TestSummarizeBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantErr  string // substring of stderr
		wantOut  int    // summaries printed
	}{
		{name: "empty", wantCode: exitUsage, wantErr: "stdin: input is empty"},
		{name: "not json", stdin: "hello", wantCode: exitUsage, wantErr: "not JSON"},
		{name: "binary", stdin: "\x00\x01\x02\xff", wantCode: exitUsage, wantErr: "binary"},
		{name: "no messages", stdin: `{"id":"X","messages":[]}`, wantCode: exitUsage, wantErr: `"X" has no messages`},
		{name: "unknown role", stdin: `{"id":"X","messages":[{"role":"bot","body":"hi"}]}`, wantCode: exitUsage, wantErr: `unknown role "bot"`},
		{name: "wrong type", stdin: `{"id":"X","messages":"hi"}`, wantCode: exitUsage, wantErr: "messages"},
		{name: "too big", stdin: goodTicket, args: []string{"--max-ticket-bytes", "100"}, wantCode: exitUsage, wantErr: "100"},
		{name: "batch keeps good tickets", stdin: strings.ReplaceAll(goodTicket, "\n", "") + "\n{\"id\":\"bad\"}\n" +
			strings.ReplaceAll(strings.Replace(goodTicket, "T-1", "T-2", 1), "\n", "") + "\n",
			wantCode: exitUsage, wantErr: `stdin:2: ticket "bad" has no messages`, wantOut: 2},
		{name: "unknown model", stdin: goodTicket, args: []string{"--model", "gpt-9"}, wantCode: exitUsage, wantErr: `unknown model "gpt-9"`},
		{name: "unknown flag", args: []string{"--frobnicate"}, wantCode: exitUsage, wantErr: "frobnicate"},
		{name: "two files", args: []string{"a", "b"}, wantCode: exitUsage, wantErr: `unexpected argument "b"`},
		{name: "missing file", args: []string{"/nonexistent/tickets.json"}, wantCode: exitUsage, wantErr: "/nonexistent/tickets.json: no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, context.Background(), tt.stdin, append([]string{"summarize", "--json"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, tt.wantCode, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Fatalf("stderr %q does not contain %q", r.stderr, tt.wantErr)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
				t.Fatalf("stderr has a stack trace: %s", r.stderr)
			}
			if got := strings.Count(r.stdout, "\n"); got != tt.wantOut {
				t.Fatalf("printed %d summaries, want %d: %s", got, tt.wantOut, r.stdout)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	if r := run(t, context.Background(), "", "frobnicate"); r.code != exitUsage || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("got %+v", r)
	}
	if r := run(t, context.Background(), "", "help"); r.code != exitOK || !strings.Contains(r.stdout, "summarize") {
		t.Fatalf("help: %+v", r)
	}
}

func TestConfigInitAndInvalidConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "ticketsum.yaml")
	if r := run(t, context.Background(), "", "config", "init", "--out", path); r.code != exitOK || r.stdout != "wrote "+path+"\n" || r.stderr != "" {
		t.Fatalf("config init: %+v; want what it wrote on stdout", r)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config init wrote %v (%v), want mode 0600 as init does", fi.Mode(), err)
	}
	if r := run(t, context.Background(), "", "config", "init", "--out", path); r.code != exitUsage || !strings.Contains(r.stderr, "already exists") {
		t.Fatalf("second config init: %+v", r)
	}
	// The example config loads as it is, and gives the defaults.
	l, err := readConfig(path, func(string) string { return "" })
	if err == nil {
		l.cfg.resolve()
		err = l.cfg.check()
	}
	if err != nil {
		t.Fatalf("example config does not load: %v", err)
	}
	cfg := l.cfg
	def := defaultConfig()
	def.resolve()
	if cfg.DB != def.DB || cfg.DataDir != def.DataDir || cfg.Model != def.Model || cfg.Server.Addr != def.Server.Addr ||
		cfg.Worker.Concurrency != def.Worker.Concurrency || cfg.MaxTicketBytes != def.MaxTicketBytes {
		t.Fatalf("example config differs from defaults: %+v", cfg)
	}
	tests := []struct{ yaml, want string }{
		{"worker:\n  concurrency: 0\n", "worker.concurrency: must be between 1 and 1000"},
		{"log_level: loud\n", `log_level: must be debug, info, warn or error, got "loud"`},
		{"modle: builtin\n", "line 1: unknown setting modle (did you mean model?)"},
		{"models:\n  bedrock:x:\n    api: grpc\n", `models.bedrock:x.api: must be converse or invoke`},
		{"max_ticket_bytes: lots\n", "max_ticket_bytes"},
		{"governance:\n  signing_key_fingerprint: abc123\n", "governance.signing_key_fingerprint: want sha256: and 64 hex digits"},
	}
	for _, tt := range tests {
		bad := writeFile(t, "bad.yaml", tt.yaml)
		r := run(t, context.Background(), goodTicket, "summarize", "--config", bad)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("config %q: exit %d, stderr %q, want %q", tt.yaml, r.code, r.stderr, tt.want)
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "c.yaml", "model: bedrock:from-file\ndb: file.db\nlog_level: warn\n")
	vars := map[string]string{"TICKETSUM_MODEL": "bedrock:from-env", "TICKETSUM_DB": "env.db"}
	getenv := func(k string) string { return vars[k] }
	l, err := readConfig(file, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := l.cfg; cfg.Model != "bedrock:from-env" || cfg.DB != "env.db" || cfg.LogLevel != "warn" {
		t.Fatalf("env must override file, file must override defaults: %+v", cfg)
	}
	e := &env{getenv: getenv}
	cmd := &cobra.Command{Use: "x"}
	e.globals.register(cmd.PersistentFlags())
	var model string
	modelFlag(cmd.Flags(), &model)
	if err := cmd.ParseFlags([]string{"--config", file, "--model", "bedrock:from-flag"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := e.load(cmd, modelBind(&model))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Model != "bedrock:from-flag" || cfg.DB != "env.db" {
		t.Fatalf("flag must override env: %+v", cfg)
	}
}

// TestImportWorkServe runs the binary's Main end to end on SQLite: import
// tickets, serve (which runs the worker), see the summary on the page above
// the thread, import again without duplicates, and shut down cleanly.
func TestImportWorkServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tickets := writeFile(t, "t.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n")
	r := run(t, context.Background(), "", "import", "--data-dir", dir, tickets)
	// The result and the next step on stdout; stderr has the log only.
	if r.code != exitOK || !strings.Contains(r.stdout, "1 queued for summary") || !strings.Contains(r.stdout, "next: run a worker") ||
		strings.Contains(r.stderr, "queued") || strings.Contains(r.stderr, "next:") {
		t.Fatalf("import: %+v", r)
	}
	r = run(t, context.Background(), "", "import", "--data-dir", dir, tickets)
	if r.code != exitOK || !strings.Contains(r.stdout, "0 queued for summary, 1 unchanged") {
		t.Fatalf("second import must queue nothing: %+v", r)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0", "--no-sample"}, strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" })
	}()
	addr := waitFor(t, &stderr, regexp.MustCompile(`serving on (http://\S+)`), done)
	page := waitForPage(t, addr+"/tickets/T-1", "<dt>Model</dt><dd>builtin", done)
	sumAt, threadAt := strings.Index(page, `id="summary"`), strings.Index(page, `id="thread"`)
	if sumAt < 0 || threadAt < 0 || sumAt > threadAt {
		t.Fatalf("summary (at %d) must come before the thread (at %d)", sumAt, threadAt)
	}
	if strings.Contains(page, "ana.lima@example.com") && strings.Index(page, "ana.lima@example.com") < threadAt {
		t.Fatal("the customer's email appears in the summary")
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "panic") {
		t.Fatalf("serve panicked: %s", stderr.String())
	}
}

// waitFor waits until re matches out and returns the first group.
func waitFor(t *testing.T, out *syncBuffer, re *regexp.Regexp, done chan int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("command exited %d before printing %s: %s", code, re, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("timed out waiting for %s: %s", re, out.String())
	return ""
}

// waitForPage polls url until its body contains want.
func waitForPage(t *testing.T, url, want string, done chan int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var body string
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			if resp.StatusCode == http.StatusOK && strings.Contains(body, want) {
				return body
			}
		}
		select {
		case code := <-done:
			t.Fatalf("server exited %d", code)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("timed out waiting for %q in %s; last body:\n%s", want, url, body)
	return ""
}
