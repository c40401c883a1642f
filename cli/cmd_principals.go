package cli

import (
	"context"
	"math"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/app"
)

// newPrincipalsCmd is `ticketsum principals` and its subcommands.
func newPrincipalsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "principals",
		GroupID: groupGov,
		Short:   "Manage principals: teams and services, allow-lists, budgets",
		Long: `A principal is a team or a service that calls models: it has an allow-list of
models, a monthly budget, a request rate limit and use-case tags. API keys
belong to a principal; every call and its cost is attributed to one. Changes
are recorded in the audit trail with who made them (--as, or your OS user
name). See docs/governance.md.`,
		Example: `  ticketsum principals put support-bot --models 'bedrock:anthropic.claude-*' --budget 50 --rpm 60
  ticketsum principals list`,
		Args: noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newPrincipalsPutCmd(e), newPrincipalsListCmd(e))
	return cmd
}

func newPrincipalsPutCmd(e *env) *cobra.Command {
	var models, useCases, as string
	var budget float64
	var rpm int
	cmd := &cobra.Command{
		Use:   "put NAME",
		Short: "Create a principal or change the settings given",
		Long: `Create the principal NAME, or change only the settings given and keep the
others: the allow-list of models (exact names or globs; '*' allows every
approved model), the monthly budget in USD (0: it may not spend), the
requests per minute (0: no limit) and use-case tags. A new principal needs
--budget. The service principals (ticketsum-worker, ticketsum-eval,
ticketsum-judge) are declared in the config under principals: and are changed
there, not here: the config is applied at every start.`,
		Example: `  ticketsum principals put support-bot --models 'bedrock:anthropic.claude-*,bedrock:amazon.nova-*' --budget 50
  ticketsum principals put support-bot --rpm 10
  ticketsum principals put analytics --models bedrock:amazon.nova-lite-v1:0 --budget 10 --rpm 30 --as alice`,
		Args: argsOf(1, 1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case budget < 0 || math.IsNaN(budget) || math.IsInf(budget, 0):
				return usagef("--budget: must be a positive number of USD, or 0, got %v", budget)
			case rpm < 0:
				return usagef("--rpm: must not be negative, got %d", rpm)
			}
			actor, err := e.actor(cmd, as)
			if err != nil {
				return err
			}
			var patch access.PrincipalPatch
			f := cmd.Flags()
			if f.Changed("models") {
				m := splitList(models)
				patch.Models = &m
			}
			if f.Changed("use-cases") {
				u := splitList(useCases)
				patch.UseCases = &u
			}
			if f.Changed("budget") {
				patch.MonthlyBudgetUSD = &budget
			}
			if f.Changed("rpm") {
				patch.RequestsPerMinute = &rpm
			}
			return e.withGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return access.CmdPrincipalsPut(ctx, gov.Access, e.stdout, actor, args[0], patch)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.StringVar(&models, "models", "", "comma-separated allow-list of `MODELS` or globs, such as bedrock:anthropic.claude-* (default: unchanged)")
	f.StringVar(&useCases, "use-cases", "", "comma-separated use-case `TAGS` (default: unchanged)")
	f.Float64Var(&budget, "budget", 0, "monthly budget in `USD`, 0: may not spend (required for a new principal; default: unchanged)")
	f.IntVar(&rpm, "rpm", 0, "requests per minute, 0: no limit (default: unchanged)")
	actorFlags(cmd, &as)
	return cmd
}

func newPrincipalsListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List principals with their allow-lists, limits, budgets and spend",
		Long:  `List every principal with its allow-list, rate limit, monthly budget and this month's spend.`,
		Example: `  ticketsum principals list
  ticketsum principals list --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withExistingGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return access.CmdPrincipalsList(ctx, gov.Access, e.stdout, asJSON)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	jsonFlag(cmd.Flags(), &asJSON)
	return cmd
}
