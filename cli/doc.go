// Package cli is the command tree of the ticketsum binary, on
// github.com/spf13/cobra. It is the only package that reads flags,
// environment variables and config files, and the only one that wires
// adapters together (stores, queue, providers, governance); cmd/ticketsum
// is a thin main over Main, so the whole tree can be run and tested in a
// process (Main never calls os.Exit).
//
// # Conventions every command follows
//
//   - Exit codes: 0 success, 1 a runtime failure, 2 bad input or usage;
//     an error is one line on stderr, prefixed with the command's path
//     (see report). Return usagef for a command-line mistake, a
//     ticketsum.EINVALID error for bad input, any other error for a
//     runtime failure; errReported / errRuntimeReported when the command
//     already printed its problems.
//   - Help: every command has Short, Long and Example; help goes to stdout
//     with exit 0 (-h, --help, help COMMAND). A command that only groups
//     others calls env.groupOnly: alone it prints its usage on stderr and
//     exits 2.
//   - Arguments: Args is noArgs or argsOf(min, max, "NAME"); flags are
//     accepted before or after arguments. Flag values are checked before
//     any work starts (before the store opens).
//   - Global flags (--config, --data-dir, --db, --log-level) are defined
//     once on the root; a command lists those it uses with usesGlobals,
//     and only those show in its help and are accepted.
//   - Configuration: env.load(cmd, binds...) reads the config file, the
//     TICKETSUM_* variables and the global flags, applies the command's
//     own flags given as binds (flag -> config key), and runs the one
//     validator, Config.check, so that a config is valid or invalid the
//     same way for every command, and a bad value is reported against the
//     flag, variable or file that set it.
//   - Wiring: newWiring(ctx, e, cfg) builds what a command needs on
//     demand (openBackend for the store and queue, governance for access
//     and the audit trail, pipeline, models, ...) and closes it all on
//     Close. Admin commands use env.withGovernance. Files go in the data
//     directory (wiring.dataFile, Config.dataPath).
//
// # Adding a command
//
// Write cmd_<name>.go with a constructor newXCmd(e *env) *cobra.Command
// that sets Use, GroupID (for a top-level command), Short, Long, Example,
// Args and RunE, registers its flags and calls usesGlobals; RunE checks its
// flags, calls e.load and hands the work to a method that takes the
// context and the Config. Add the constructor to newRoot (or to its parent
// command), then regenerate the reference with
//
//	go test ./cli -run TestDocsAreCurrent -update
//
// TestEveryCommandPath then covers the new command's help, an unknown
// flag, a missing and an extra argument without further work.
package cli
