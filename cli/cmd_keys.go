package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/app"
)

// defaultKeyTTL is the lifetime of a key created without --ttl (the
// access package's default).
const defaultKeyTTL = 90 * 24 * time.Hour

// newKeysCmd is `ticketsum keys` and its subcommands.
func newKeysCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "keys",
		GroupID: groupGov,
		Short:   "Create, list and revoke the API keys of principals",
		Long: `API keys let a principal (a team or a service) call the governed API. A key is
shown once when created and stored only as a hash; it expires after its TTL and
can be revoked at any time. Creating and revoking keys is recorded in the audit
trail with who did it (--as, or your OS user name). See docs/governance.md.`,
		Example: `  ticketsum keys create --principal support-bot --ttl 720h
  ticketsum keys list
  ticketsum keys revoke tks_ab12cd34`,
		Args: noArgs,
	}
	e.groupOnly(cmd)
	cmd.AddCommand(newKeysCreateCmd(e), newKeysListCmd(e), newKeysRevokeCmd(e))
	return cmd
}

func newKeysCreateCmd(e *env) *cobra.Command {
	var principal, as, scopes string
	var ttl time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --principal NAME [--scope S,S]",
		Short: "Create an API key for a principal and print it once",
		Long: `Create an API key for a principal and print it once: it is stored only as a
hash, so keep it in a secret manager now. The key expires after --ttl.
--scope says what the key may do: summarize (the default: call models),
tickets:write (store tickets and summaries; never replaces a ticket that was
imported, synced or stored by another principal), read (the principal's own
tickets and usage), admin (everything, and replace any ticket).`,
		Example: `  ticketsum keys create --principal support-bot
  ticketsum keys create --principal support-bot --scope summarize,tickets:write
  ticketsum keys create --principal support-bot --ttl 720h --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if principal == "" {
				return usagef("--principal NAME is required")
			}
			if cmd.Flags().Changed("ttl") && ttl <= 0 {
				return usagef("--ttl: must be a positive duration such as 720h, got %v", ttl)
			}
			sc, err := access.ParseScopes(scopes)
			if err != nil {
				return usagef("--scope: %s", ticketsum.ErrorMessage(err))
			}
			actor, err := e.actor(cmd, as)
			if err != nil {
				return err
			}
			return e.withGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return access.CmdKeysCreate(ctx, gov.Access, e.stdout, actor, principal, ttl, sc, asJSON)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.StringVar(&principal, "principal", "", "`NAME` of the principal the key belongs to (required)")
	f.DurationVar(&ttl, "ttl", defaultKeyTTL, "key lifetime, such as 720h")
	f.StringVar(&scopes, "scope", access.ScopeSummarize, "comma-separated scopes: summarize, tickets:write, read, admin")
	jsonFlag(f, &asJSON)
	actorFlags(cmd, &as)
	return cmd
}

func newKeysListCmd(e *env) *cobra.Command {
	var principal string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List API keys with their status (never the keys themselves)",
		Long: `List API keys by prefix with their principal, status (active, expired,
revoked), creation and expiry dates. The keys themselves are never stored.`,
		Example: `  ticketsum keys list
  ticketsum keys list --principal support-bot --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withExistingGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return access.CmdKeysList(ctx, gov.Access, e.stdout, principal, asJSON)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().StringVar(&principal, "principal", "", "only the keys of principal `NAME`")
	jsonFlag(cmd.Flags(), &asJSON)
	return cmd
}

func newKeysRevokeCmd(e *env) *cobra.Command {
	var as string
	cmd := &cobra.Command{
		Use:   "revoke PREFIX",
		Short: "Revoke an API key by its prefix",
		Long: `Revoke an API key by the prefix "keys list" shows (tks_ab12cd34, or the part
after tks_). The key stops working at once; revoking is recorded in the audit
trail. Revoking a key already revoked changes nothing and says so.`,
		Example: `  ticketsum keys revoke tks_ab12cd34
  ticketsum keys revoke ab12cd34 --as alice`,
		Args: argsOf(1, 1, "PREFIX"),
		RunE: func(cmd *cobra.Command, args []string) error {
			actor, err := e.actor(cmd, as)
			if err != nil {
				return err
			}
			return e.withGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return e.revokeKey(ctx, gov.Access, actor, args[0])
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	actorFlags(cmd, &as)
	return cmd
}
