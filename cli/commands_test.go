package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestFlagsAfterArguments checks that flags are read wherever they stand.
func TestFlagsAfterArguments(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "t.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n")
	r := run(t, context.Background(), "", "summarize", file, "--json")
	var s summaryJSON
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &s) != nil || s.TicketID != "T-1" {
		t.Fatalf("summarize FILE --json: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = run(t, context.Background(), "", "principals", "put", "support-bot", "--budget", "-1")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--budget: must be a positive number") {
		t.Fatalf("principals put NAME --budget -1: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestMistakesNameTheNearest checks the suggestions for mistyped commands
// and the refusal of global flags a command does not use.
func TestMistakesNameTheNearest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serv"}, `ticketsum: unknown command "serv"; did you mean "serve"?`},
		{[]string{"keys", "crate"}, `ticketsum keys: unknown subcommand "crate"; did you mean "create"?`},
		{[]string{"eval", "histroy"}, `ticketsum eval: unknown subcommand "histroy"; did you mean "history"?`},
		{[]string{"help", "keys", "lst"}, `unknown subcommand "lst"; did you mean "list"?`},
		{[]string{"config", "init", "--db", "x.db"}, "--db is not used by ticketsum config init"},
		{[]string{"completion", "bash", "--config", "x.yaml"}, "--config is not used by ticketsum completion bash"},
		{[]string{"worker", "--workers", "many"}, `ticketsum worker: --workers: want a whole number, got "many"`},
		{[]string{"keys", "create", "--principal", "p", "--ttl", "-5h"}, "--ttl: must be a positive duration"},
		{[]string{"usage", "--by", "team"}, `--by: want one of principal, model, product-line, day, got "team"`},
		{[]string{"plan", "--tickets-per-week", "1e30"}, "--tickets-per-week: want a number from 0 to 100000000, got 1e+30"},
		{[]string{"plan", "--input-tokens", "NaN"}, "--input-tokens: want a number from 0 to 10000000, got NaN"},
		{[]string{"eval", "--dataset", "x", "--concurrency", "0"}, "--concurrency: must be between 1 and 1000, got 0"},
		{[]string{"backfill", "--since", "yesterday"}, `--since "yesterday": want a date like 2026-01-31`},
		{[]string{"worker", "--metrics-addr", "9090"}, "--metrics-addr: want HOST:PORT"},
	} {
		r := run(t, context.Background(), "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("ticketsum %s: exit %d, stderr %q; want exit 2 and one line with %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
}

// TestAdminActor checks that admin actions record the person acting: the
// name given with --as, else the OS user, never a placeholder.
func TestAdminActor(t *testing.T) {
	t.Parallel()
	cfg := tempConfig(t)
	const model = "bedrock:amazon.nova-lite-v1:0"
	if r := run(t, context.Background(), "", "models", "approve", model, "--as", "alice", "--config", cfg); r.code != exitOK {
		t.Fatalf("approve --as: %+v", r)
	}
	if r := run(t, context.Background(), "", "models", "revoke", model, "--config", cfg); r.code != exitOK {
		t.Fatalf("revoke: %+v", r)
	}
	if r := run(t, context.Background(), "", "models", "approve", model, "--as", " ", "--config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "--as: must not be empty") {
		t.Fatalf("approve --as blank: %+v", r)
	}
	actors := auditActors(t, filepath.Join(filepath.Dir(cfg), "ticketsum.db"))
	want := []string{"alice model.approve", osUserName(func(string) string { return "" }) + " model.revoke"}
	if strings.Join(actors, ",") != strings.Join(want, ",") {
		t.Fatalf("audit trail actors = %q, want %q", actors, want)
	}
	// Each admin command signed its records before exiting.
	if r := run(t, context.Background(), "", "audit", "verify", "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "OK") {
		t.Fatalf("audit verify after admin commands: %+v", r)
	}
}

// TestModelsApproveBuiltin checks that the built-in summariser can be
// approved, as the API's refusal of an unapproved "builtin" tells the
// administrator to do, without a catalogue entry, and
// that an unknown name is still refused naming the valid forms.
func TestModelsApproveBuiltin(t *testing.T) {
	t.Parallel()
	cfg := tempConfig(t)
	r := run(t, context.Background(), "", "models", "approve", "builtin", "--config", cfg)
	if r.code != exitOK || strings.Contains(r.stderr, "catalogue") {
		t.Fatalf("approve builtin: %+v", r)
	}
	if r := run(t, context.Background(), "", "models", "approved", "--json", "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, `"builtin"`) {
		t.Fatalf("approved after approving builtin: %+v", r)
	}
	if r := run(t, context.Background(), "", "models", "revoke", "builtin", "--config", cfg); r.code != exitOK {
		t.Fatalf("revoke builtin: %+v", r)
	}
	r = run(t, context.Background(), "", "models", "approve", "builtn", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown model "builtn": want builtin, bedrock:`) {
		t.Fatalf("approve builtn: %+v", r)
	}
}

// auditActors returns "actor action" of every admin record of the trail.
func auditActors(t *testing.T, db string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT actor, action FROM audit_records WHERE kind = 'admin' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var actor, action string
		if err := rows.Scan(&actor, &action); err != nil {
			t.Fatal(err)
		}
		out = append(out, actor+" "+action)
	}
	return out
}

// TestKeysRevokeTwice checks that revoking a revoked key says so.
func TestKeysRevokeTwice(t *testing.T) {
	t.Parallel()
	cfg := tempConfig(t)
	if r := run(t, context.Background(), "", "principals", "put", "bot", "--models", "bedrock:*", "--budget", "1", "--config", cfg); r.code != exitOK {
		t.Fatalf("principals put: %+v", r)
	}
	r := run(t, context.Background(), "", "keys", "create", "--principal", "bot", "--json", "--config", cfg)
	var key struct{ Prefix string }
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &key) != nil || key.Prefix == "" {
		t.Fatalf("keys create: %+v", r)
	}
	if r := run(t, context.Background(), "", "keys", "revoke", "tks_"+key.Prefix, "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "revoked") {
		t.Fatalf("first revoke: %+v", r)
	}
	r = run(t, context.Background(), "", "keys", "revoke", key.Prefix, "--config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "was already revoked on") || !strings.Contains(r.stdout, "nothing changed") {
		t.Fatalf("second revoke: %+v", r)
	}
	if r := run(t, context.Background(), "", "keys", "revoke", "zzzzzzzz", "--config", cfg); r.code != exitFailure {
		t.Fatalf("revoke of an unknown key: %+v", r)
	}
}

// TestCommandsSayWhatHappened checks the commands that used to print
// nothing useful: a missing eval history, an export with nothing to write.
func TestCommandsSayWhatHappened(t *testing.T) {
	t.Parallel()
	r := run(t, context.Background(), "", "eval", "history", "--history", "/nonexistent/history.jsonl")
	if r.code != exitFailure || r.stderr != "ticketsum eval history: no history at /nonexistent/history.jsonl (ticketsum eval appends a run to it)\n" || r.stdout != "" {
		t.Errorf("eval history of a missing file: %+v", r)
	}
	cfg := tempConfig(t)
	if r := run(t, context.Background(), "", "init", "--config", cfg); r.code != exitOK { // an empty store; without one, export says to run init
		t.Fatalf("init: %+v", r)
	}
	out := filepath.Join(t.TempDir(), "finetune.jsonl")
	r = run(t, context.Background(), "", "export", "finetune", "--out", out, "--config", cfg, "--log-level", "warn")
	if r.code != exitFailure || !strings.Contains(r.stderr, "nothing to export: 0 reviewed summaries") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("export with no reviewed summary: %+v", r)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("export with nothing to export wrote %s: %v", out, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestVersion checks --version and the text it renders from build info.
func TestVersion(t *testing.T) {
	t.Parallel()
	r := run(t, context.Background(), "", "--version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "ticketsum ") || r.stderr != "" {
		t.Fatalf("--version: %+v", r)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-25T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	for _, tc := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{info, true, "ticketsum v1.4.0 (revision 0123456789ab with local changes, 2026-11-25T10:00:00Z, go1.26.8)"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, "ticketsum (devel) (revision unknown: built without VCS stamping, go1.26.8)"},
		{nil, false, "ticketsum (unknown version: built without module information)"},
	} {
		if got := versionText(tc.info, tc.ok); got != tc.want {
			t.Errorf("versionText = %q, want %q", got, tc.want)
		}
	}
}

// TestCompletion checks that each shell's completion script is printed.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for shell, want := range map[string]string{
		"bash": "__start_ticketsum", "zsh": "#compdef ticketsum", "fish": "complete -c ticketsum", "powershell": "Register-ArgumentCompleter",
	} {
		r := run(t, context.Background(), "", "completion", shell)
		if r.code != exitOK || !strings.Contains(r.stdout, want) || r.stderr != "" {
			t.Errorf("completion %s: exit %d, stderr %q, stdout lacks %q", shell, r.code, r.stderr, want)
		}
	}
	// Completing a subcommand lists the subcommands with their help.
	r := run(t, context.Background(), "", "__complete", "keys", "")
	if r.code != exitOK || !strings.Contains(r.stdout, "create\tCreate an API key") || !strings.Contains(r.stdout, "revoke") {
		t.Errorf("__complete keys: %+v", r)
	}
}

// TestAuditKeyCommands signs, prints the key to pin, rotates it and
// verifies the trail with the new key pinned.
func TestAuditKeyCommands(t *testing.T) {
	t.Parallel()
	cfg := tempConfig(t)
	if r := run(t, context.Background(), "", "models", "approve", "bedrock:amazon.nova-lite-v1:0", "--config", cfg); r.code != exitOK {
		t.Fatalf("approve: %+v", r)
	}
	r := run(t, context.Background(), "", "audit", "key", "--config", cfg)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "sha256:") {
		t.Fatalf("audit key: %+v", r)
	}
	if r := run(t, context.Background(), "", "audit", "sign", "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "nothing to sign") {
		t.Fatalf("audit sign after a command that signed on exit: %+v", r)
	}
	r = run(t, context.Background(), "", "audit", "rotate-key", "--config", cfg)
	_, pin, ok := strings.Cut(r.stdout, "set governance.signing_key_fingerprint: ")
	if r.code != exitOK || !ok {
		t.Fatalf("audit rotate-key: %+v", r)
	}
	pin = strings.Fields(pin)[0]
	body, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pinned := writeFile(t, "pinned.yaml", string(body)+"governance:\n  signing_key_fingerprint: "+pin+"\n")
	if r := run(t, context.Background(), "", "audit", "verify", "--config", pinned); r.code != exitOK || !strings.Contains(r.stdout, "(pinned)") {
		t.Fatalf("audit verify with the new key pinned: %+v", r)
	}
}
