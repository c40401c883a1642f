package cli

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/app"
)

// newLogsCmd is `ticketsum logs` and its subcommands.
func newLogsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "logs",
		GroupID: groupGov,
		Short:   "Read the encrypted invocation log",
		Long: `Every model call is written to the invocation log (a local directory or S3),
encrypted with data keys wrapped by a local key file or AWS KMS. "logs read"
decrypts it for an operator; the read itself is recorded in the audit trail.`,
		Example: `  ticketsum logs read --since 24h --principal support-bot`,
		Args:    noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newLogsReadCmd(e))
	return cmd
}

func newLogsReadCmd(e *env) *cobra.Command {
	var f audit.Filter
	var since, as string
	cmd := &cobra.Command{
		Use:   "read",
		Short: "Decrypt and print invocation log records (the read is audited)",
		Long: `Decrypt the invocation log and print its records as JSON Lines, oldest first,
filtered by time, principal, request, ticket or model. The read is recorded in
the audit trail with who read it (--as, or your OS user name) and the filter.`,
		Example: `  ticketsum logs read --since 24h
  ticketsum logs read --ticket T-1042 --model bedrock:amazon.nova-lite-v1:0
  ticketsum logs read --since 2026-11-01 --principal support-bot --as alice`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if f.Since, err = audit.ParseSince(since, time.Now()); err != nil {
				return usagef("%s", ticketsum.ErrorMessage(err))
			}
			actor, err := e.actor(cmd, as)
			if err != nil {
				return err
			}
			return e.withExistingGovernance(cmd, func(ctx context.Context, w *wiring, gov *app.Governance) error {
				return e.readLogs(ctx, w, gov, actor, f)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	fs := cmd.Flags()
	fs.StringVar(&since, "since", "", "only records since `WHEN`: a date (2026-11-01), an RFC 3339 time or a duration back from now (24h, 7d)")
	fs.StringVar(&f.Principal, "principal", "", "only the calls of principal `NAME`")
	fs.StringVar(&f.RequestID, "request-id", "", "only the calls of request `ID`")
	fs.StringVar(&f.TicketID, "ticket", "", "only calls about this ticket `ID`")
	fs.StringVar(&f.ModelID, "model", "", "only calls to this `MODEL`")
	actorFlags(cmd, &as)
	return cmd
}

// readLogs decrypts and prints the invocation log records that match f.
func (e *env) readLogs(ctx context.Context, w *wiring, gov *app.Governance, actor string, f audit.Filter) error {
	gc := w.cfg.governanceConfig()
	var src audit.Source = audit.DirSource{Dir: gc.LogDir}
	if gc.S3Bucket != "" {
		awsCfg, err := w.awsConfig(ctx)
		if err != nil {
			return err
		}
		src = audit.S3Source{Client: s3.NewFromConfig(*awsCfg), Bucket: gc.S3Bucket, Prefix: gc.S3Prefix}
	}
	wrapper, err := w.keyWrapper(ctx)
	if err != nil {
		return err
	}
	r, err := audit.NewReader(src, wrapper)
	if err != nil {
		return err
	}
	return audit.CmdLogsRead(ctx, r, gov.Trail, e.stdout, actor, f)
}
