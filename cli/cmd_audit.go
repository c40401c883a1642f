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
the trail untouched; "audit sign" signs what processes without the key left;
"audit key" prints the key's fingerprint to pin; "audit rotate-key" replaces
the key.`,
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
		Long: `Check the audit trail's hash chain, its signed digests, the signing key (against
governance.signing_key_fingerprint when set) and, with an anchor bucket, the
copies of the digests in S3, and report every problem found. Exit 1 on any
edit, deletion, insertion or reordering, and when the trail's integrity is
unproven: records exist and no digest does, or records older than the digest
interval are not under a digest. Verifying appends nothing and needs no
private key.`,
		Example: `  ticketsum audit verify
  ticketsum audit verify --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withWiring(cmd, func(ctx context.Context, w *wiring) error {
				if err := w.requireStore(ctx); err != nil {
					return err
				}
				trail, err := w.verifyTrail(ctx)
				if err != nil {
					return err
				}
				ok, err := audit.CmdAuditVerify(ctx, trail, e.stdout, asJSON)
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
		Long: `Sign a digest over the records that processes holding no signing key (the
Lambda) or killed processes left unsigned, and copy digests to the anchor
bucket. serve and worker do this every half hour and on exit; where neither
runs, schedule this command more often than the digest interval (1 hour).`,
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
		Short: "Print the signing key's fingerprint, to pin in the config",
		Long: `Print the fingerprint of the audit signing key (created on first use). Put it
in governance.signing_key_fingerprint: a replaced key file is then refused at
start and detected by "audit verify".`,
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
	var as string
	cmd := &cobra.Command{
		Use:   "rotate-key",
		Short: "Replace the audit signing key, recording the hand-over",
		Long: `Create a new signing key, record the rotation in the trail (a digest signed
by the old and the new key), replace the key file with the new key and print
its fingerprint. Then set governance.signing_key_fingerprint to it and restart
every signing process: they refuse to sign with the old key.`,
		Example: `  ticketsum audit rotate-key --as alice`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			actor, err := e.actor(cmd, as)
			if err != nil {
				return err
			}
			return e.withGovernance(cmd, func(ctx context.Context, w *wiring, gov *app.Governance) error {
				return audit.CmdAuditRotateKey(ctx, gov.Trail, w.cfg.governanceConfig().SigningKeyFile, actor, e.stdout)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	actorFlags(cmd, &as)
	return cmd
}
