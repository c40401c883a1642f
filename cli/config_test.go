package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigValidation runs summarize with bad config files: each is
// refused before any ticket is read, with exit 2, one line naming the key
// and the reason in the user's words (no Go type or field names).
func TestConfigValidation(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, want string }{
		{"binary", "\x00\x01\x02PNG\xff", "not a YAML text file"},
		{"not utf-8", "model: caf\xe9\n", "not a YAML text file"},
		{"a list", "- db\n- model\n", "line 1: want settings as key: value lines"},
		{"float for an integer", "max_ticket_bytes: 1.5\n", `max_ticket_bytes: want a whole number, got "1.5"`},
		{"text for an integer", "worker:\n  concurrency: four\n", `worker.concurrency: want a whole number, got "four"`},
		{"unknown key", "worker:\n  concurency: 4\n", "line 2: unknown setting worker.concurency (did you mean worker.concurrency?)"},
		{"unknown section", "goverance:\n  omit_bodies: true\n", "unknown setting goverance (did you mean governance?)"},
		{"unknown key far from any", "zzzzzzzzzzzz: 1\n", "unknown setting zzzzzzzzzzzz (valid here: auth, aws, call_timeout, catalogue"},
		{"duration without unit", "worker:\n  throttle_snooze: 30\n", `worker.throttle_snooze: want a duration with a unit, such as 30s, 5m or 1h, got "30"`},
		{"section as a value", "server: 8080\n", `server: want a section of settings (key: value lines), got "8080"`},
		{"rescue before timeout", "worker:\n  rescue_after: 1m\n", "worker.rescue_after: must be at least worker.job_timeout (5m0s), got 1m0s"},
		{"review share", "server:\n  review_share: 5\n", "server.review_share: must be a share between 0 and 1"},
		{"per-key cap", "server:\n  max_concurrent_per_key: -2\n", "server.max_concurrent_per_key: must be a number of requests (0: the default 64; -1: no cap), got -2"},
		{"bad address", "server:\n  addr: nonsense\n", `server.addr: want HOST:PORT such as 127.0.0.1:8080, got "nonsense"`},
		{"port out of range", "server:\n  addr: 127.0.0.1:70000\n", "server.addr: port 70000 is not between 0 and 65535"},
		{"missing prompt file", "prompt:\n  path: /nonexistent/default-v1.tmpl\n", "prompt.path: /nonexistent/default-v1.tmpl: no such file or directory"},
		{"unknown prompt version", "prompt:\n  version: v9\n", `prompt.version: no embedded template "v9"`},
		{"unknown model", "model: gpt-9\n", `model: unknown model "gpt-9"`},
		{"unknown model section", "models:\n  gpt-9:\n    rpm: 5\n", `models.gpt-9: unknown model "gpt-9"`},
		{"negative quota", "models:\n  bedrock:x:\n    rpm: -1\n", "models.bedrock:x.rpm: must not be negative, got -1"},
		{"key as the key's variable", "openai:\n  api_key_env: sk-proj-Xy12secretvalue\n", "openai.api_key_env: must be the name of an environment variable (letters, digits and _, such as OPENAI_API_KEY), not the key itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := writeFile(t, "ticketsum.yaml", tt.yaml)
			r := run(t, context.Background(), goodTicket, "summarize", "--config", cfg, "-")
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", r.code, r.stdout, r.stderr, tt.want)
			}
			_, msg, ok := strings.Cut(r.stderr, "config "+cfg+": ")
			if !ok {
				t.Errorf("the message does not name the file: %q", r.stderr)
			}
			if strings.Contains(r.stderr, "secretvalue") {
				t.Errorf("the message repeats what may be a secret: %q", r.stderr)
			}
			for _, goName := range []string{"main.", "cli.", "Config", "int64", "float64", "!!"} {
				if strings.Contains(msg, goName) {
					t.Errorf("the message shows Go internals (%q): %q", goName, r.stderr)
				}
			}
		})
	}
}

// TestOneValidatorForEveryCommand checks that a setting only some
// commands use is refused the same way by every command that loads the
// config, before any work.
func TestOneValidatorForEveryCommand(t *testing.T) {
	t.Parallel()
	cfg := writeFile(t, "ticketsum.yaml", "worker:\n  rescue_after: 1m\n")
	const want = "worker.rescue_after: must be at least worker.job_timeout"
	for _, args := range [][]string{
		{"summarize", "-"}, {"import", "-"}, {"worker"}, {"serve"}, {"eval", "--dataset", "x.jsonl"},
		{"plan"}, {"models"}, {"keys", "list"}, {"usage"}, {"audit", "verify"}, {"export", "finetune"},
		{"watch"}, {"backfill", "--since", "2026-01-01"}, {"install-trigger"},
	} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			r := run(t, context.Background(), "", append(args, "--config", cfg)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, want) {
				t.Errorf("ticketsum %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
			}
		})
	}
}

// TestConfigOrigins checks that a bad value is reported against what set
// it: a flag, an environment variable, or the file.
func TestConfigOrigins(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := writeFile(t, "ticketsum.yaml", "data_dir: "+dir+"\n")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"flag", []string{"worker", "--workers", "0"}, nil, "ticketsum worker: --workers: must be between 1 and 1000, got 0"},
		{"environment", []string{"worker"}, map[string]string{"TICKETSUM_WORKERS": "0"}, "ticketsum worker: TICKETSUM_WORKERS: must be between 1 and 1000, got 0"},
		{"environment not a number", []string{"worker"}, map[string]string{"TICKETSUM_WORKERS": "four"}, `environment TICKETSUM_WORKERS="four": want a whole number`},
		{"review share not a number", []string{"worker"}, map[string]string{"TICKETSUM_REVIEW_SHARE": "5%"}, `environment TICKETSUM_REVIEW_SHARE="5%": want a share between 0 and 1`},
		{"review share above 1", []string{"worker"}, map[string]string{"TICKETSUM_REVIEW_SHARE": "5"}, "ticketsum worker: TICKETSUM_REVIEW_SHARE: must be a share between 0 and 1 (0 or negative: no sampling), got 5"},
		{"empty --db", []string{"import", "-", "--db="}, nil, "--db: must not be empty"},
		{"empty --data-dir", []string{"import", "-", "--data-dir", ""}, nil, "--data-dir: must not be empty"},
		{"empty --config", []string{"import", "-", "--config="}, nil, "--config: must not be empty"},
		{"bad --addr", []string{"serve", "--addr", "nonsense"}, nil, `ticketsum serve: --addr: want HOST:PORT such as 127.0.0.1:8080, got "nonsense"`},
		{"bad --api", []string{"summarize", "-", "--model", "bedrock:x", "--api", "grpc"}, nil, `--api: must be converse or invoke, got "grpc"`},
		{"bad --log-level", []string{"import", "-", "--log-level", "loud"}, nil, `--log-level: must be debug, info, warn or error, got "loud"`},
		{"env config file", []string{"import", "-"}, map[string]string{"TICKETSUM_CONFIG": "/nonexistent/ticketsum.yaml"}, "config /nonexistent/ticketsum.yaml: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if tt.env["TICKETSUM_CONFIG"] == "" && !strings.HasPrefix(args[len(args)-1], "--config") {
				args = append(args, "--config", cfg)
			}
			var out, errb syncBuffer
			code := Main(context.Background(), args, strings.NewReader(goodTicket), &out, &errb, func(k string) string { return tt.env[k] })
			if code != exitUsage || !strings.Contains(errb.String(), tt.want) || strings.Count(errb.String(), "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want exit 2 and one line with %q", code, errb.String(), tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused commands wrote into the data directory: %v", entries)
	}
}

// TestDataDirectory checks that the data directory holds the store and is
// private to the owner, and that config, variable and flag choose it in
// that order of precedence.
func TestDataDirectory(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	tickets := writeFile(t, "t.jsonl", strings.ReplaceAll(goodTicket, "\n", "")+"\n")
	cfg := writeFile(t, "ticketsum.yaml", "data_dir: "+filepath.Join(base, "from-file")+"\n")
	env := map[string]string{"TICKETSUM_DATA_DIR": filepath.Join(base, "from-env")}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"file", []string{"import", "--config", cfg, tickets}, nil, "from-file"},
		{"environment over file", []string{"import", "--config", cfg, tickets}, env, "from-env"},
		{"flag over environment", []string{"import", tickets, "--config", cfg, "--data-dir", filepath.Join(base, "from-flag")}, env, "from-flag"},
	} {
		var out, errb syncBuffer
		if code := Main(context.Background(), tc.args, strings.NewReader(""), &out, &errb, func(k string) string { return tc.env[k] }); code != exitOK {
			t.Fatalf("%s: exit %d: %s", tc.name, code, errb.String())
		}
		dir := filepath.Join(base, tc.want)
		st, err := os.Stat(dir)
		if err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("%s: data directory %s: %v, mode %v; want 0700", tc.name, dir, err, st.Mode())
		}
		if _, err := os.Stat(filepath.Join(dir, "ticketsum.db")); err != nil {
			t.Errorf("%s: no store in the data directory: %v", tc.name, err)
		}
	}
}
