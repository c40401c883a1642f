package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// newHelpCmd is `ticketsum help [COMMAND]...`: a command's help on stdout
// with exit 0, or exit 2 naming the nearest command for an unknown one.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]...",
		Short: "Show the help of any command",
		Long: `Show the help of a command: what it does, its arguments, its flags with their
defaults, and examples. "ticketsum COMMAND --help" (or -h) shows the same.`,
		Example: `  ticketsum help serve
  ticketsum help keys create`,
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			target, _, err := c.Root().Find(args)
			if err != nil || target == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range target.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || target == nil {
				return usagef("no command %q", strings.Join(args, " "))
			}
			if len(rest) > 0 {
				return unknownSubcommand(target, rest[0])
			}
			return target.Help()
		},
	}
}

// describeCompletion adds examples to cobra's completion commands, which
// come with their own short and long help, and makes them answer mistakes
// as the others do.
func (e *env) describeCompletion(root *cobra.Command) {
	comp, _, err := root.Find([]string{"completion"})
	if err != nil || comp == root {
		return
	}
	e.groupOnly(comp)
	comp.Args = noArgs
	comp.Example = `  # Load completions into the current bash session
  source <(ticketsum completion bash)

  # Install them for zsh
  ticketsum completion zsh > "${fpath[1]}/_ticketsum"`
	for _, sub := range comp.Commands() {
		sub.Example = fmt.Sprintf("  ticketsum completion %s > ticketsum-completion.%s", sub.Name(), sub.Name())
		sub.Args = noArgs
	}
}

// buildVersion is the --version text: the module version and the VCS
// revision the binary was built from, as the Go toolchain recorded them.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	return versionText(info, ok)
}

// versionText renders build information as one line, such as
// "ticketsum v1.2.0 (revision 1a2b3c4d5e6f, 2026-11-25T10:00:00Z, go1.26.8)".
func versionText(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "ticketsum (unknown version: built without module information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	var parts []string
	switch {
	case rev == "":
		parts = append(parts, "revision unknown: built without VCS stamping")
	case settings["vcs.modified"] == "true":
		parts = append(parts, "revision "+short(rev)+" with local changes")
	default:
		parts = append(parts, "revision "+short(rev))
	}
	if t := settings["vcs.time"]; t != "" {
		parts = append(parts, t)
	}
	parts = append(parts, info.GoVersion)
	return fmt.Sprintf("ticketsum %s (%s)", version, strings.Join(parts, ", "))
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
