package cli

import (
	_ "embed"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

//go:embed config_example.yaml
var exampleConfig []byte

// newConfigCmd is `ticketsum config` and its subcommands.
func newConfigCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "config",
		GroupID: groupSetup,
		Short:   "Work with the config file",
		Long: `Work with the YAML config file (./ticketsum.yaml, --config FILE or
$TICKETSUM_CONFIG). Settings come from flags, then TICKETSUM_* variables, then
the file, then the defaults; an invalid file is refused at start, naming the
key and the reason.`,
		Example: `  ticketsum config init`,
		Args:    noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newConfigInitCmd(e))
	return cmd
}

// newConfigInitCmd is `ticketsum config init`.
func newConfigInitCmd(e *env) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented example config file",
		Long: `Write the commented example config: every section with its defaults and what
each key does. It loads as it is and changes nothing until edited. An existing
file is kept unless --force is given.`,
		Example: `  ticketsum config init
  ticketsum config init --out - | less`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("--out: must not be empty")
			}
			return e.configInit(out, force)
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", defaultConfigFile, "`FILE` to write, or - for stdout")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}

// configInit writes the example config to out.
func (e *env) configInit(out string, force bool) error {
	if out == "-" {
		_, err := e.stdout.Write(exampleConfig)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(out, flags, 0o600) // like init's: it names databases and keys
	if errors.Is(err, os.ErrExist) {
		return usagef("%s already exists; use --force to overwrite it", out)
	}
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if _, err := f.Write(exampleConfig); err != nil {
		f.Close()
		return fmt.Errorf("write config %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write config %s: %w", out, err)
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", out)
	return nil
}
