package cli

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a runtime failure
	exitUsage   = 2 // bad input or usage
)

// errReported means the command already printed its problems (bad input
// records, a usage text) and wants exit code 2.
var errReported = errors.New("bad input reported")

// errRuntimeReported means the command already printed its runtime
// failures and wants exit code 1.
var errRuntimeReported = errors.New("failures reported")

// usageError is a command-line mistake: exit 2, with a pointer to the
// command's help.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// report prints err as one line on stderr, prefixed with the command's
// path, and returns the exit code for it.
func (e *env) report(cmd *cobra.Command, err error) int {
	name := "ticketsum"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	var u *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u):
		fmt.Fprintf(e.stderr, "%s: %s (see '%s --help')\n", name, dedupe(cmd, u.msg), name)
		return exitUsage
	case errors.Is(err, errReported):
		return exitUsage
	case errors.Is(err, errRuntimeReported):
		return exitFailure
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "%s: interrupted\n", name)
		return exitFailure
	}
	if advice := e.diskFullAdvice(err); advice != "" {
		fmt.Fprintf(e.stderr, "%s: %s\n%s: cause: %s\n", name, advice, name, oneLine(err.Error()))
		return exitFailure
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", name, dedupe(cmd, oneLine(ticketsum.ErrorMessage(err))))
	switch ticketsum.ErrorCodeOf(err) {
	case ticketsum.EINVALID:
		// An invalid setting the environment lacks or a provider refuses
		// (no AWS region, a payload the endpoint rejects) is a runtime
		// failure like missing credentials, not bad input.
		if ticketsum.ClassOf(err) == ticketsum.ClassConfig {
			return exitFailure
		}
		return exitUsage
	case ticketsum.EINTERNAL:
		fmt.Fprintf(e.stderr, "%s: cause: %s\n", name, oneLine(err.Error()))
	}
	return exitFailure
}

// dedupe drops a leading "<command>: " from msg, which the prefix already
// says (a package that names itself in its messages: "plan: plan: ...").
func dedupe(cmd *cobra.Command, msg string) string {
	if cmd == nil {
		return msg
	}
	return strings.TrimPrefix(msg, cmd.Name()+": ")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// pflagInvalid matches pflag's message for a value that does not parse.
var pflagInvalid = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?--([\w-]+)" flag`)

// flagError turns a flag parsing error into a usage error in the user's
// words: the flag, the value and what it wants, without Go's parser
// messages.
func flagError(c *cobra.Command, err error) error {
	m := pflagInvalid.FindStringSubmatch(err.Error())
	if m == nil {
		return usagef("%s", oneLine(err.Error()))
	}
	want := "a valid value"
	if f := c.Flags().Lookup(m[2]); f != nil {
		switch f.Value.Type() {
		case "int", "int64", "uint", "uint64":
			want = "a whole number"
		case "float64", "float32":
			want = "a number"
		case "duration":
			want = "a duration such as 30s, 5m or 2h"
		case "bool":
			want = "true or false"
		}
	}
	return usagef("--%s: want %s, got %q", m[2], want, m[1])
}

// noArgs refuses positional arguments. On a command with subcommands an
// argument is a mistyped subcommand, and the nearest one is suggested.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if c.HasAvailableSubCommands() {
		return unknownSubcommand(c, args[0])
	}
	return usagef("unexpected argument %q: %s takes no arguments", args[0], c.Name())
}

// unknownSubcommand refuses name as a subcommand of c, suggesting the
// nearest.
func unknownSubcommand(c *cobra.Command, name string) error {
	what := "unknown command"
	if c.HasParent() {
		what = "unknown subcommand"
	}
	msg := fmt.Sprintf("%s %q", what, name)
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	if near := nearest(name, names); near != "" {
		return usagef("%s; did you mean %q?", msg, near)
	}
	return usagef("%s; want one of: %s", msg, strings.Join(names, ", "))
}

// argsOf accepts from min to max positional arguments, named what in
// messages ("NAME", "[FILE|-]").
func argsOf(minN, maxN int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) < minN:
			return usagef("missing %s", what)
		case len(args) > maxN:
			return usagef("unexpected argument %q (%s takes %s)", args[maxN], c.Name(), what)
		}
		return nil
	}
}
