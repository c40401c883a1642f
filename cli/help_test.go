package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commandPaths lists every available command of the tree, as the words
// that run it ("keys create"), the root as "".
func commandPaths(t *testing.T) map[string]*cobra.Command {
	t.Helper()
	paths := map[string]*cobra.Command{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		paths[strings.TrimSpace(strings.TrimPrefix(c.CommandPath(), "ticketsum"))] = c
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				walk(sub)
			}
		}
	}
	walk(newRoot(&env{stdin: strings.NewReader(""), stdout: &strings.Builder{}, stderr: &strings.Builder{}, getenv: func(string) string { return "" }}))
	if len(paths) < 30 {
		t.Fatalf("found only %d commands", len(paths))
	}
	return paths
}

// requiredArgs returns placeholders for the positional arguments a
// command's use line requires (NAME, FILE|-), skipping flags and their
// values ("--since DATE") and optional ones ("[FILE|-]").
func requiredArgs(c *cobra.Command) []string {
	var out []string
	words := strings.Fields(c.Use)[1:]
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case strings.HasPrefix(w, "--"):
			i++ // the flag's value
		case strings.HasPrefix(w, "["):
		default:
			out = append(out, "x-"+strings.ToLower(w))
		}
	}
	return out
}

// TestEveryCommandPath runs every command path with -h, --help, help PATH,
// an unknown flag, a missing argument and an extra argument, and checks the
// exit code, where the output goes, one line for an error, and no panic or
// stack trace. None of these runs does any work: each stops at parsing.
func TestEveryCommandPath(t *testing.T) {
	t.Parallel()
	for path, c := range commandPaths(t) {
		words := strings.Fields(path)
		req := requiredArgs(c)
		cases := []struct {
			name string
			args []string
			code int
		}{
			{"-h", append(words[:len(words):len(words)], "-h"), exitOK},
			{"--help", append(words[:len(words):len(words)], "--help"), exitOK},
			{"help PATH", append([]string{"help"}, words...), exitOK},
			{"unknown flag", append(words[:len(words):len(words)], "--no-such-flag"), exitUsage},
		}
		if !strings.Contains(c.Use, "...") { // a command taking any number of arguments has no extra one
			cases = append(cases, struct {
				name string
				args []string
				code int
			}{"extra argument", append(append(words[:len(words):len(words)], req...), "extra-1", "extra-2"), exitUsage})
		}
		if len(req) > 0 {
			cases = append(cases, struct {
				name string
				args []string
				code int
			}{"missing argument", append(words[:len(words):len(words)], req[:len(req)-1]...), exitUsage})
		}
		for _, tc := range cases {
			t.Run(path+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				r := run(t, context.Background(), "", tc.args...)
				if r.code != tc.code {
					t.Fatalf("ticketsum %s: exit %d, want %d; stdout %q, stderr %q", strings.Join(tc.args, " "), r.code, tc.code, r.stdout, r.stderr)
				}
				for _, bad := range []string{"panic", "goroutine ", ".go:"} {
					if strings.Contains(r.stdout+r.stderr, bad) {
						t.Fatalf("ticketsum %s: output shows %q: %s%s", strings.Join(tc.args, " "), bad, r.stdout, r.stderr)
					}
				}
				if tc.code == exitOK {
					if r.stderr != "" || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "Examples:") {
						t.Fatalf("ticketsum %s: help must go to stdout with usage and examples; stdout %q, stderr %q", strings.Join(tc.args, " "), r.stdout, r.stderr)
					}
					return
				}
				if r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "ticketsum") {
					t.Fatalf("ticketsum %s: want one line on stderr and nothing on stdout; stdout %q, stderr %q", strings.Join(tc.args, " "), r.stdout, r.stderr)
				}
			})
		}
	}
}

// TestEveryCommandIsDocumented checks that every command has a short help,
// a long help and examples.
func TestEveryCommandIsDocumented(t *testing.T) {
	t.Parallel()
	for path, c := range commandPaths(t) {
		if c.Short == "" || c.Long == "" || c.Example == "" {
			t.Errorf("ticketsum %s: short %q, long %d bytes, example %d bytes", path, c.Short, len(c.Long), len(c.Example))
		}
	}
}
