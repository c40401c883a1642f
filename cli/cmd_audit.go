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
		Example: `  ticketsum audit verify
  ticketsum audit sign        # on a schedule where no serve or worker runs
  ticketsum audit key         # the fingerprint to pin`,
		Args: noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newAuditVerifyCmd(e), newAuditSignCmd(e), newAuditKeyCmd(e), newAuditRotateKeyCmd(e))
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

func newAuditSignCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Sign the audit records no digest covers yet",
		Long: `Sign the records no digest covers yet (left by a process without the signing
key, such as the Lambda, or by one that was killed) and copy new digests to the
anchor. Serve and worker sign on their own; run this on a schedule, within the
digest interval, where neither runs.`,
		Example: `  ticketsum audit sign`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return audit.CmdAuditSign(ctx, gov.Trail, e.stdout)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	return cmd
}

func newAuditKeyCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Print the fingerprint of the audit signing key, to pin it",
		Long: `Print the fingerprint of the key that signs the audit trail's digests. Set it as
governance.signing_key_fingerprint in the config, so that a replaced key file
is detected by every process and by audit verify.`,
		Example: `  ticketsum audit key`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withGovernance(cmd, func(_ context.Context, _ *wiring, gov *app.Governance) error {
				return audit.CmdAuditKey(gov.Trail, e.stdout)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	return cmd
}

func newAuditRotateKeyCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Replace the audit signing key, recording the rotation in the trail",
		Long: `Create a new signing key, record the rotation in the trail (a digest signed by
the old and the new key), replace the key file and print the new fingerprint to
pin in governance.signing_key_fingerprint. Other signing processes refuse to
sign until restarted with the new key and pin.`,
		Example: `  ticketsum audit rotate-key`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withGovernance(cmd, func(ctx context.Context, w *wiring, gov *app.Governance) error {
				return audit.CmdAuditRotateKey(ctx, gov.Trail, w.cfg.governanceConfig().SigningKeyFile, e.stdout)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	return cmd
}
