package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// newInstallTriggerCmd is `ticketsum install-trigger [--uninstall]`.
func newInstallTriggerCmd(e *env) *cobra.Command {
	var uninstall bool
	cmd := &cobra.Command{
		Use:     "install-trigger",
		GroupID: groupSource,
		Short:   "Install (or --uninstall) the NOTIFY trigger that wakes watch on changes",
		Long: `Install a trigger on the team's tickets and messages tables (or the source's
notify_tables) that sends a NOTIFY on every change, so a running watch copies
it at once instead of at its next poll. --uninstall drops the trigger and its
function; watch then falls back to polling. See docs/postgres.md.`,
		Example: `  ticketsum install-trigger
  ticketsum install-trigger --uninstall`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.load(cmd)
			if err != nil {
				return err
			}
			return e.installTrigger(cmd.Context(), cfg, uninstall)
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().BoolVar(&uninstall, "uninstall", false, "drop the trigger and its function instead")
	return cmd
}

func (e *env) installTrigger(ctx context.Context, cfg Config, uninstall bool) error {
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	sb, err := w.openSource(ctx, true)
	if err != nil {
		return err
	}
	if uninstall {
		if err := sb.src.UninstallTrigger(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "install-trigger: trigger removed; watch falls back to polling")
		return nil
	}
	if err := sb.src.InstallTrigger(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "install-trigger: trigger installed; a running watch wakes on every change")
	return nil
}
