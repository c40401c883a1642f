package cli

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/app"
)

// usageGroups are the values of `usage --by`.
var usageGroups = []string{"principal", "model", "product-line", "day"}

func newUsageCmd(e *env) *cobra.Command {
	var by, since string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "usage",
		GroupID: groupGov,
		Short:   "Show calls, tokens, cost, denials and guardrail interventions",
		Long: `Sum the audit trail's model calls by principal, model, product line or day:
calls, successes, denials, errors, input and output tokens, cost in USD and
guardrail interventions.`,
		Example: `  ticketsum usage
  ticketsum usage --by model --since 7d
  ticketsum usage --by day --since 2026-11-01 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(usageGroups, by) {
				return usagef("--by: want one of %s, got %q", strings.Join(usageGroups, ", "), by)
			}
			from, err := audit.ParseSince(since, time.Now())
			if err != nil {
				return usagef("%s", ticketsum.ErrorMessage(err))
			}
			return e.withExistingGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return audit.CmdUsage(ctx, gov.Trail, e.stdout, by, from, asJSON)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.StringVar(&by, "by", "principal", "group by `GROUP`: "+strings.Join(usageGroups, ", "))
	f.StringVar(&since, "since", "30d", "only calls since `WHEN`: a date (2026-11-01), an RFC 3339 time or a duration back from now (24h, 7d)")
	jsonFlag(f, &asJSON)
	return cmd
}
