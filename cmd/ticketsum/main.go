// Command ticketsum summarises customer-support tickets: one binary that
// imports tickets, runs the summarisation queue, serves the web UI and API,
// evaluates models and plans deployment. Run `ticketsum help` for commands.
//
// This is the only package that reads flags, environment variables and
// config files, and the only one that wires adapters together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/ticketsum/ticketsum"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a runtime failure
	exitUsage   = 2 // bad input or usage
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// env is the process environment a command runs in; tests replace every part.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand of the binary.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand by name.
func commands() map[string]command {
	return map[string]command{
		"summarize":       {"print the summary of each ticket in FILE (or stdin)", runSummarize},
		"import":          {"store tickets from FILE and queue new or changed threads", runImport},
		"worker":          {"run the summarisation queue until interrupted", runWorker},
		"serve":           {"run the worker and the web UI and API", runServe},
		"eval":            {"score models on a dataset with ROUGE and other metrics", runEval},
		"config":          {"config init: write a commented example config file", runConfig},
		"models":          {"list the model catalogue; models approve|revoke MODEL", runModels},
		"keys":            {"keys create|list|revoke: API keys of principals", runKeys},
		"principals":      {"principals put|list: teams and services, allow-lists, budgets", runPrincipals},
		"logs":            {"logs read: decrypt the invocation log (the read is audited)", runLogs},
		"audit":           {"audit verify: check the audit trail's hash chain and signed digests", runAudit},
		"export":          {"export finetune: reviewed summaries with redacted tickets as Bedrock fine-tuning JSONL", runExport},
		"plan":            {"cost per model and deployment surface for the measured workload, and a recommendation", runPlan},
		"usage":           {"cost and calls by principal, model, product line or day", runUsage},
		"watch":           {"copy new and changed tickets from the team's Postgres tables and queue them", runWatch},
		"backfill":        {"backfill --since DATE: copy and queue the team's tickets updated since DATE", runBackfill},
		"install-trigger": {"install (or --uninstall) the NOTIFY trigger that wakes watch on changes", runInstallTrigger},
	}
}

// Main runs the binary with args and returns its exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	cmds := commands()
	if len(args) == 0 {
		usage(stderr, cmds) // a usage mistake: the help goes with the error, not into a pipe
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ticketsum: unknown command %q (run 'ticketsum help')\n", args[0])
		return exitUsage
	}
	err := cmd.run(ctx, e, args[1:])
	return report(stderr, args[0], err)
}

// report prints err as one line and returns the exit code for it.
func report(stderr io.Writer, name string, err error) int {
	var u *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &u):
		fmt.Fprintf(stderr, "ticketsum %s: %s\n", name, u.msg)
		return exitUsage
	case errors.Is(err, errReported):
		return exitUsage
	case errors.Is(err, errRuntimeReported):
		return exitFailure
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "ticketsum %s: interrupted\n", name)
		return exitFailure
	}
	fmt.Fprintf(stderr, "ticketsum %s: %s\n", name, oneLine(ticketsum.ErrorMessage(err)))
	if ticketsum.ErrorCodeOf(err) == ticketsum.EINVALID {
		return exitUsage
	}
	if ticketsum.ErrorCodeOf(err) == ticketsum.EINTERNAL {
		fmt.Fprintf(stderr, "ticketsum %s: cause: %s\n", name, oneLine(err.Error()))
	}
	return exitFailure
}

// errReported means the command already printed its problems (bad input
// records) and wants exit code 2.
var errReported = errors.New("bad input reported")

// usageError is a command-line mistake.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "ticketsum: summarise support tickets with governed LLM calls.")
	fmt.Fprintln(w, "\nUsage: ticketsum <command> [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'ticketsum <command> -h' for a command's flags.")
}

// commonFlags are the flags every command that touches config accepts.
type commonFlags struct {
	config   string
	db       string
	model    string
	logLevel string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "config file (default ./ticketsum.yaml when it exists, or $TICKETSUM_CONFIG)")
	fs.StringVar(&c.db, "db", "", "store: SQLite file or postgres:// URL (default ticketsum.db)")
	fs.StringVar(&c.model, "model", "", "model: builtin, bedrock:<id>, sagemaker:<endpoint> or openai:<model> (default builtin)")
	fs.StringVar(&c.logLevel, "log-level", "", "debug, info, warn or error (default info)")
}

// load reads the config and applies the flags over it.
func (c *commonFlags) load(e *env) (Config, error) {
	path := c.config
	if path == "" {
		path = e.getenv("TICKETSUM_CONFIG")
	}
	cfg, err := loadConfig(path, e.getenv)
	if err != nil {
		return cfg, err
	}
	if c.db != "" {
		cfg.DB = c.db
	}
	if c.model != "" {
		cfg.Model = c.model
	}
	if c.logLevel != "" {
		cfg.LogLevel = c.logLevel
	}
	return cfg, cfg.validate()
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(e *env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: ticketsum %s [flags] %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errReported // the flag package already printed the problem
	}
	return nil
}
