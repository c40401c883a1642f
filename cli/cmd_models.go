package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/app"
)

// newModelsCmd is `ticketsum models`: alone (or as `models list`) it lists
// the catalogue; `models approve|revoke MODEL` keep the approved-model
// registry.
func newModelsCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "models",
		GroupID: groupGov,
		Short:   "List the model catalogue; approve and revoke models",
		Long: `Without a subcommand, list the model catalogue (as "models list" does): each
model's family, context window, prices per million tokens, the date the prices
are from, and whether it is approved. Nobody can call a model that is not
approved: "models approve MODEL" adds it to the registry, "models revoke MODEL"
removes it; "models approved" lists the registry. Approvals are recorded in
the audit trail with who made them.`,
		Example: `  ticketsum models
  ticketsum models approved
  ticketsum models approve bedrock:amazon.nova-lite-v1:0 --note "eval run 12 met every bar"
  ticketsum models revoke bedrock:amazon.nova-lite-v1:0`,
		Args: noArgs,
		RunE: e.runListModels(&asJSON),
	}
	usesGlobals(cmd, allGlobals...)
	jsonFlag(cmd.Flags(), &asJSON)
	cmd.AddCommand(newModelsListCmd(e), newModelsApprovedCmd(e), newModelsApproveCmd(e), newModelsRevokeCmd(e))
	return cmd
}

// runListModels lists the catalogue. Without a store it creates none: every
// model shows as not approved, and a note on stderr says how to start.
func (e *env) runListModels(asJSON *bool) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		return e.withWiring(cmd, func(ctx context.Context, w *wiring) error {
			approved := map[string]bool{}
			err := w.requireStore(ctx)
			switch {
			case ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND:
				fmt.Fprintf(e.stderr, "%s: %s; no model is approved yet\n", cmd.CommandPath(), ticketsum.ErrorMessage(err))
			case err != nil:
				return err
			default:
				gov, err := w.governance(ctx)
				if err != nil {
					return err
				}
				list, err := gov.Access.Store().ListApprovedModels(ctx)
				if err != nil {
					return err
				}
				for _, m := range list {
					approved[m.Name] = true
				}
			}
			return e.listModels(w, approved, *asJSON)
		})
	}
}

func newModelsListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the model catalogue with prices and approval",
		Long: `List the model catalogue: each model's family, context window, prices per
million tokens (input, output, cache read and write), the date the prices are
from (unverified ones say so), and whether it is approved. A catalogue file in
the config adds models or corrects prices.`,
		Example: `  ticketsum models list
  ticketsum models list --json`,
		Args: noArgs,
		RunE: e.runListModels(&asJSON),
	}
	usesGlobals(cmd, allGlobals...)
	jsonFlag(cmd.Flags(), &asJSON)
	return cmd
}

func newModelsApproveCmd(e *env) *cobra.Command {
	var note, as string
	var allowUnlisted bool
	cmd := &cobra.Command{
		Use:   "approve MODEL",
		Short: "Approve a model, so that principals allowed to may call it",
		Long: `Add MODEL to the approved-model registry with a note of why. A principal still
needs the model in its allow-list to call it. A model missing from the
catalogue ("ticketsum models" lists it) is refused, as a typo would be: every
call is priced and charged to a budget, so nobody could call it. To approve a
new or custom Bedrock model ID or ARN, give it a price first: add an entry (or
an alias of its base model's entry) to a catalogue override file named by
catalogue: in the config (docs/cost-and-planning.md), then approve it.
openai: and sagemaker: models are listed at 0 per token unless a catalogue
file prices them. "builtin" (the offline
summariser) needs approval only for API callers (POST /v1/summaries): it makes
no model call and costs nothing.`,
		Example: `  ticketsum models approve bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0 --note "eval 2026-11-20"
  ticketsum models approve sagemaker:my-llama-endpoint
  ticketsum models approve bedrock:my-new-model-v1:0 --config ticketsum.yaml  # catalogue: prices.yaml lists it
  ticketsum models approve builtin --note "API callers may use the offline summariser"`,
		Args: argsOf(1, 1, "MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != app.Builtin && !validModelName(args[0]) {
				return usagef("unknown model %q: want builtin, bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", args[0])
			}
			if err := printableFlag("--note", note); err != nil {
				return err
			}
			actor, err := e.actor(cmd, as)
			if err != nil {
				return err
			}
			return e.withWiring(cmd, func(ctx context.Context, w *wiring) error {
				if args[0] != app.Builtin { // not a catalogue entry: nothing to price
					if err := w.checkListed(args[0], allowUnlisted); err != nil {
						return err
					}
				}
				gov, err := w.governance(ctx)
				if err != nil {
					return err
				}
				return access.CmdModelsApprove(ctx, gov.Access, e.stdout, actor, args[0], note)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	cmd.Flags().StringVar(&note, "note", "", "why the model is approved, recorded with the approval (`TEXT`)")
	allowUnlistedFlag(cmd, &allowUnlisted)
	actorFlags(cmd, &as)
	return cmd
}

// allowUnlistedFlag registers --allow-unlisted, deprecated: it approved a
// model no call could be made to (the gateway prices every call), so it is
// kept only to refuse such a model naming what prices it.
func allowUnlistedFlag(cmd *cobra.Command, allow *bool) {
	cmd.Flags().BoolVar(allow, "allow-unlisted", false, "no longer approves a model missing from the catalogue; give it a price in a catalogue file instead")
	cmd.Flags().MarkDeprecated("allow-unlisted", "a model missing from the catalogue cannot be called, since every call is priced: add it to a catalogue override file (catalogue: in the config) and approve it without the flag")
}

// checkListed refuses a model missing from the catalogue (exit 2), naming
// the catalogue file that prices it; allowUnlisted (the deprecated flag)
// only says that it no longer approves one.
func (w *wiring) checkListed(model string, allowUnlisted bool) error {
	cat, err := w.catalogue()
	if err != nil {
		return err
	}
	_, err = cat.Lookup(model)
	switch {
	case err == nil:
		return nil
	case !allowUnlisted && strings.Contains(model, ":arn:"):
		return usagef("%s (%s)", ticketsum.ErrorMessage(err), w.catalogueWhere()) // says what an ARN needs
	case !allowUnlisted:
		return notListed(model, "add it with its prices to "+w.catalogueWhere())
	}
	return usagef("%s is not in the catalogue and --allow-unlisted no longer approves such a model: every call is priced and charged to a budget, so none could be made to it. Give it a price in a catalogue override file (catalogue: in the config; docs/cost-and-planning.md), then approve it without the flag", model)
}

func newModelsApprovedCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "approved",
		Short: "List the approved models: who approved each, when and why",
		Long: `List the approved-model registry: each model with who approved it, when, and
the note given. Nobody can call a model missing from it.`,
		Example: `  ticketsum models approved
  ticketsum models approved --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.withExistingGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return access.CmdModelsList(ctx, gov.Access, e.stdout, asJSON)
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	jsonFlag(cmd.Flags(), &asJSON)
	return cmd
}

func newModelsRevokeCmd(e *env) *cobra.Command {
	var as string
	cmd := &cobra.Command{
		Use:     "revoke MODEL",
		Short:   "Revoke a model's approval: nobody can call it after",
		Long:    `Remove MODEL from the approved-model registry: calls to it are refused from then on.`,
		Example: `  ticketsum models revoke bedrock:amazon.nova-lite-v1:0 --as alice`,
		Args:    argsOf(1, 1, "MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			actor, err := e.actor(cmd, as)
			if err != nil {
				return err
			}
			return e.withGovernance(cmd, func(ctx context.Context, _ *wiring, gov *app.Governance) error {
				return access.CmdModelsRevoke(ctx, gov.Access, e.stdout, actor, args[0])
			})
		},
	}
	usesGlobals(cmd, allGlobals...)
	actorFlags(cmd, &as)
	return cmd
}

// catalogueRow is one model of `ticketsum models --json`.
type catalogueRow struct {
	Name          string  `json:"name"`
	Family        string  `json:"family"`
	ContextWindow int     `json:"context_window"`
	InputUSD      float64 `json:"input_usd_per_mtok"`
	OutputUSD     float64 `json:"output_usd_per_mtok"`
	CacheReadUSD  float64 `json:"cache_read_usd_per_mtok,omitempty"`
	CacheWriteUSD float64 `json:"cache_write_usd_per_mtok,omitempty"`
	Effective     string  `json:"effective"`
	Verified      bool    `json:"verified"`
	Approved      bool    `json:"approved"`
	// Region is the region the prices are for; State the model's Bedrock
	// lifecycle state today (active, legacy, extended_access, end_of_life)
	// and EndOfLife its end-of-life date, when it has one.
	Region    string `json:"region,omitempty"`
	State     string `json:"state"`
	EndOfLife string `json:"end_of_life,omitempty"`
}

// listModels prints the catalogue with prices and approval.
func (e *env) listModels(w *wiring, approved map[string]bool, asJSON bool) error {
	cat, err := w.catalogue()
	if err != nil {
		return err
	}
	var rows []catalogueRow
	for _, entry := range cat.Models() {
		m, err := cat.Lookup(entry.Name) // priced for the billed region and today's lifecycle
		if err != nil {
			m = entry
		}
		r := catalogueRow{Name: m.Name, Family: m.Family, ContextWindow: m.ContextWindow, InputUSD: m.Input, OutputUSD: m.Output,
			Effective: m.Effective, Verified: m.Verified, Approved: approved[m.Name], State: m.State(cat.Now())}
		if strings.HasPrefix(m.Name, "bedrock:") {
			r.Region = m.Region
		}
		if m.Lifecycle != nil {
			r.EndOfLife = m.Lifecycle.EOL
		}
		if m.CacheRead != nil {
			r.CacheReadUSD = *m.CacheRead
		}
		if m.CacheWrite != nil {
			r.CacheWriteUSD = *m.CacheWrite
		}
		rows = append(rows, r)
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFAMILY\tCONTEXT\t$/M IN\t$/M OUT\t$/M CACHE R/W\tPRICES AS OF\tREGION\tSTATE\tAPPROVED")
	for _, r := range rows {
		cache := "-"
		if r.CacheReadUSD > 0 || r.CacheWriteUSD > 0 {
			cache = fmt.Sprintf("%g/%g", r.CacheReadUSD, r.CacheWriteUSD)
		}
		asOf := r.Effective
		if !r.Verified {
			asOf += " (unverified)"
		}
		ok := "no"
		if r.Approved || r.Name == "builtin" {
			ok = "yes"
		}
		state, region := r.State, r.Region
		if r.EndOfLife != "" {
			state += " (eol " + r.EndOfLife + ")"
		}
		if region == "" {
			region = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%g\t%g\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Family, r.ContextWindow, r.InputUSD, r.OutputUSD, cache, asOf, region, state, ok)
	}
	return tw.Flush()
}
