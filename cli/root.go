package cli

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// env is the process environment a command runs in; tests replace every
// part. It also holds the global flags, parsed once by the root command.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// osUser names the person running the command: the actor recorded for
	// admin actions when --as is not given.
	osUser func() string
	// globals are the root's persistent flags.
	globals globalFlags
	// dataDir and dbPath are the data directory and store of the command's
	// configuration, once loaded (newWiring), for report to name the
	// directory whose disk is full.
	dataDir, dbPath string
}

// Main runs the command line with args (without the program name) and
// returns the exit code: 0 success, 1 a runtime failure, 2 bad input or
// usage. It never calls os.Exit, so tests and other programs can embed the
// whole tree.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	e.osUser = func() string { return osUserName(getenv) }
	return e.main(ctx, args)
}

func (e *env) main(ctx context.Context, args []string) int {
	root := newRoot(e)
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return e.report(cmd, err)
}

// Command groups of the root's help, in order.
const (
	groupSummaries = "summaries"
	groupQuality   = "quality"
	groupGov       = "governance"
	groupSource    = "source"
	groupSetup     = "setup"
)

// newRoot builds the whole command tree for one run.
func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "ticketsum",
		Short: "Summarise support tickets with governed LLM calls",
		Long: `ticketsum puts a one-paragraph summary at the top of every support ticket: the
customer's issue, what the agent did and whether it is resolved, with no
personal data. It imports tickets or watches your Postgres tables, queues them
durably, calls a model chosen by measured evaluation (Amazon Bedrock, a
SageMaker endpoint, an OpenAI-compatible server or the built-in offline
summariser) through one governed gateway, and serves the summaries in a web UI
and a JSON API.

Everything ticketsum writes goes in one data directory (./ticketsum-data by
default; --data-dir, $TICKETSUM_DATA_DIR or data_dir in the config).
Settings come from flags, then TICKETSUM_* variables, then the config file
(./ticketsum.yaml, --config or $TICKETSUM_CONFIG), then the defaults.

Exit codes: 0 success, 1 a runtime failure (a model or database unavailable,
a quality bar missed, a policy block), 2 bad input or usage.`,
		Example: `  # Serve 50 sample tickets summarised offline on http://127.0.0.1:8080
  ticketsum serve

  # Summarise a file of tickets with the built-in model
  ticketsum summarize tickets.jsonl

  # Help on one command
  ticketsum help eval`,
		Version:           buildVersion(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		Args:              noArgs,
		PersistentPreRunE: e.checkGlobals,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate("{{.Version}}\n")
	e.groupOnly(root)
	root.SetUsageTemplate(usageTemplate)
	e.globals.register(root.PersistentFlags())
	usesGlobals(root, allGlobals...)
	root.AddGroup(
		&cobra.Group{ID: groupSummaries, Title: "Summaries:"},
		&cobra.Group{ID: groupQuality, Title: "Quality and cost:"},
		&cobra.Group{ID: groupGov, Title: "Governance:"},
		&cobra.Group{ID: groupSource, Title: "Your Postgres tables:"},
		&cobra.Group{ID: groupSetup, Title: "Setup:"},
	)
	root.AddCommand(
		newSummarizeCmd(e), newImportCmd(e), newWorkerCmd(e), newServeCmd(e), newFailuresCmd(e),
		newEvalCmd(e), newReviewCmd(e), newPlanCmd(e), newExportCmd(e),
		newModelsCmd(e), newPrincipalsCmd(e), newKeysCmd(e), newLogsCmd(e), newAuditCmd(e), newUsageCmd(e),
		newWatchCmd(e), newBackfillCmd(e), newInstallTriggerCmd(e),
		newInitCmd(e), newConfigCmd(e),
	)
	root.SetHelpCommand(newHelpCmd())
	root.SetHelpCommandGroupID(groupSetup)
	root.SetCompletionCommandGroupID(groupSetup)
	root.InitDefaultCompletionCmd()
	e.describeCompletion(root)
	showOnlyUsedGlobals(root)
	return root
}

// annotationGroupOnly marks a command that only groups others.
const annotationGroupOnly = "ticketsum-group-only"

// groupOnly makes cmd a command that only groups others (as the root is):
// run alone, it prints its usage on stderr and exits 2; its usage line
// shows only "COMMAND [command]".
func (e *env) groupOnly(cmd *cobra.Command) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[annotationGroupOnly] = "true"
	cmd.RunE = func(c *cobra.Command, _ []string) error {
		c.SetOut(e.stderr)
		defer c.SetOut(e.stdout)
		if err := c.Usage(); err != nil {
			return err
		}
		return errReported
	}
}

// usageTemplate is cobra's default usage template, except that a command
// that only groups others does not show a usage line of its own.
const usageTemplate = `Usage:{{if and .Runnable (not (index .Annotations "` + annotationGroupOnly + `"))}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}{{$cmds := .Commands}}{{if eq (len .Groups) 0}}

Available Commands:{{range $cmds}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{else}}{{range $group := .Groups}}

{{.Title}}{{range $cmds}}{{if (and (eq .GroupID $group.ID) (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if not .AllChildCommandsHaveGroup}}

Additional Commands:{{range $cmds}}{{if (and (eq .GroupID "") (or .IsAvailableCommand (eq .Name "help")))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasHelpSubCommands}}

Additional help topics:{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}
  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{end}}
`
