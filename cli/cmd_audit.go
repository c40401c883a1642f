package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/app"
)

// newAuditCmd is `ticketsum audit` and its subcommands.
func newAuditCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "audit",
		GroupID: groupGov,
		Short:   "Check the tamper-evident audit trail",
		Long: `Every governed call and admin action is appended to the audit trail: records
chained by hash, with digests signed by the audit key. "audit verify" proves
the trail untouched.`,
		Example: `  ticketsum audit verify`,
		Args:    noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newAuditVerifyCmd(e))
	return cmd
}

func newAuditVerifyCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Verify the audit trail's hash chain and signed digests",
		Long: `Check the audit trail's hash chain and its signed digests, and report every
problem found. Exit 1 on any edit, deletion, insertion or reordering.`,
		Example: `  ticketsum audit verify
  ticketsum audit verify --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				ok, err := audit.CmdAuditVerify(ctx, gov.Trail, e.stdout, asJSON)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("audit trail verification failed: %w", errRuntimeReported)
				}
				return nil
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	jsonFlag(cmd.Flags(), &asJSON)
	return cmd
}
