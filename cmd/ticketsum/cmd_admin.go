package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/app"
)

// adminFlags are the flags of every admin command.
type adminFlags struct {
	commonFlags
	actor  string
	asJSON bool
}

func (a *adminFlags) register(e *env, fs *flag.FlagSet) {
	user := e.getenv("USER")
	if user == "" {
		user = "cli"
	}
	fs.StringVar(&a.actor, "actor", user, "who is acting, recorded in the audit trail (default $USER)")
	fs.BoolVar(&a.asJSON, "json", false, "print JSON")
}

// adminSession parses an admin command's flags and opens governance.
func adminSession(ctx context.Context, e *env, name, argsHelp string, args []string, extra func(fs *flag.FlagSet)) (*wiring, *app.Governance, *adminFlags, []string, error) {
	fs := newFlagSet(e, name, argsHelp)
	var af adminFlags
	af.commonFlags.register(fs)
	af.register(e, fs)
	if extra != nil {
		extra(fs)
	}
	if err := parse(fs, args); err != nil {
		return nil, nil, nil, nil, err
	}
	cfg, err := af.load(e)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	gov, err := w.governance(ctx)
	if err != nil {
		w.Close()
		return nil, nil, nil, nil, err
	}
	return w, gov, &af, fs.Args(), nil
}

// subcommand picks the subcommand from args.
func subcommand(args []string, want ...string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usagef("want a subcommand: %v", want)
	}
	for _, s := range want {
		if args[0] == s {
			return s, args[1:], nil
		}
	}
	return "", nil, usagef("unknown subcommand %q (want one of %v)", args[0], want)
}

// runKeys handles `ticketsum keys create|list|revoke`.
func runKeys(ctx context.Context, e *env, args []string) error {
	sub, rest, err := subcommand(args, "create", "list", "revoke")
	if err != nil {
		return err
	}
	var principal string
	var ttl time.Duration
	w, gov, af, pos, err := adminSession(ctx, e, "keys "+sub, "", rest, func(fs *flag.FlagSet) {
		fs.StringVar(&principal, "principal", "", "the principal the key belongs to")
		fs.DurationVar(&ttl, "ttl", 0, "key lifetime, e.g. 2160h (default 90 days)")
	})
	if err != nil {
		return err
	}
	defer w.Close()
	switch sub {
	case "create":
		if principal == "" {
			return usagef("keys create needs --principal NAME")
		}
		return access.CmdKeysCreate(ctx, gov.Access, e.stdout, af.actor, principal, ttl, af.asJSON)
	case "list":
		return access.CmdKeysList(ctx, gov.Access, e.stdout, principal, af.asJSON)
	}
	if len(pos) != 1 {
		return usagef("keys revoke needs the key's PREFIX")
	}
	return access.CmdKeysRevoke(ctx, gov.Access, e.stdout, af.actor, pos[0])
}

// runPrincipals handles `ticketsum principals put|list`.
func runPrincipals(ctx context.Context, e *env, args []string) error {
	sub, rest, err := subcommand(args, "put", "list")
	if err != nil {
		return err
	}
	var models, useCases string
	var budget float64
	var rpm int
	w, gov, af, pos, err := adminSession(ctx, e, "principals "+sub, "[NAME]", rest, func(fs *flag.FlagSet) {
		fs.StringVar(&models, "models", "", "comma-separated allow-list of models or globs, e.g. bedrock:anthropic.claude-*")
		fs.StringVar(&useCases, "use-cases", "", "comma-separated use-case tags")
		fs.Float64Var(&budget, "budget", 0, "monthly budget in USD (0: may not spend)")
		fs.IntVar(&rpm, "rpm", 0, "requests per minute (0: no limit)")
	})
	if err != nil {
		return err
	}
	defer w.Close()
	if sub == "list" {
		return access.CmdPrincipalsList(ctx, gov.Access, e.stdout, af.asJSON)
	}
	if len(pos) != 1 {
		return usagef("principals put needs a NAME")
	}
	return access.CmdPrincipalsPut(ctx, gov.Access, e.stdout, af.actor, &access.Principal{
		Name: pos[0], Models: splitList(models), UseCases: splitList(useCases), MonthlyBudgetUSD: budget, RequestsPerMinute: rpm,
	})
}

// runModels handles `ticketsum models [list]|approve|revoke`: the catalogue
// with each model's approval, and the approved-model registry.
func runModels(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "list" || (len(args[0]) > 0 && args[0][0] == '-') {
		if len(args) > 0 && args[0] == "list" {
			args = args[1:]
		}
		return listModels(ctx, e, args)
	}
	sub, rest, err := subcommand(args, "approve", "revoke", "list")
	if err != nil {
		return err
	}
	var note string
	w, gov, af, pos, err := adminSession(ctx, e, "models "+sub, "MODEL", rest, func(fs *flag.FlagSet) {
		fs.StringVar(&note, "note", "", "why the model is approved (recorded)")
	})
	if err != nil {
		return err
	}
	defer w.Close()
	if len(pos) != 1 {
		return usagef("models %s needs one MODEL, e.g. bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", sub)
	}
	if sub == "approve" {
		cat, err := w.catalogue()
		if err != nil {
			return err
		}
		if _, err := cat.Lookup(pos[0]); err != nil {
			fmt.Fprintf(e.stderr, "ticketsum models approve: warning: %s is not in the catalogue, so its calls cannot be priced; add it with a catalogue file\n", pos[0])
		}
		return access.CmdModelsApprove(ctx, gov.Access, e.stdout, af.actor, pos[0], note)
	}
	return access.CmdModelsRevoke(ctx, gov.Access, e.stdout, af.actor, pos[0])
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
}

// listModels prints the catalogue with prices and approval.
func listModels(ctx context.Context, e *env, args []string) error {
	w, gov, af, _, err := adminSession(ctx, e, "models", "", args, nil)
	if err != nil {
		return err
	}
	defer w.Close()
	cat, err := w.catalogue()
	if err != nil {
		return err
	}
	approved := map[string]bool{}
	list, err := gov.Access.Store().ListApprovedModels(ctx)
	if err != nil {
		return err
	}
	for _, m := range list {
		approved[m.Name] = true
	}
	var rows []catalogueRow
	for _, m := range cat.Models() {
		r := catalogueRow{Name: m.Name, Family: m.Family, ContextWindow: m.ContextWindow, InputUSD: m.Input, OutputUSD: m.Output,
			Effective: m.Effective, Verified: m.Verified, Approved: approved[m.Name]}
		if m.CacheRead != nil {
			r.CacheReadUSD = *m.CacheRead
		}
		if m.CacheWrite != nil {
			r.CacheWriteUSD = *m.CacheWrite
		}
		rows = append(rows, r)
	}
	if af.asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFAMILY\tCONTEXT\t$/M IN\t$/M OUT\t$/M CACHE R/W\tPRICES AS OF\tAPPROVED")
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
		fmt.Fprintf(tw, "%s\t%s\t%d\t%g\t%g\t%s\t%s\t%s\n", r.Name, r.Family, r.ContextWindow, r.InputUSD, r.OutputUSD, cache, asOf, ok)
	}
	return tw.Flush()
}

// runLogs handles `ticketsum logs read`.
func runLogs(ctx context.Context, e *env, args []string) error {
	if _, rest, err := subcommand(args, "read"); err != nil {
		return err
	} else {
		args = rest
	}
	var f audit.Filter
	var since string
	w, gov, af, _, err := adminSession(ctx, e, "logs read", "", args, func(fs *flag.FlagSet) {
		fs.StringVar(&since, "since", "", "only records since: a date, an RFC 3339 time or a duration such as 24h or 7d")
		fs.StringVar(&f.Principal, "principal", "", "only this principal's calls")
		fs.StringVar(&f.RequestID, "request-id", "", "only this request")
		fs.StringVar(&f.TicketID, "ticket", "", "only calls about this ticket")
		fs.StringVar(&f.ModelID, "model", "", "only calls to this model")
	})
	if err != nil {
		return err
	}
	defer w.Close()
	if since != "" {
		if f.Since, err = audit.ParseSince(since, time.Now()); err != nil {
			return err
		}
	}
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
	return audit.CmdLogsRead(ctx, r, gov.Trail, e.stdout, af.actor, f)
}

// runAudit handles `ticketsum audit verify`.
func runAudit(ctx context.Context, e *env, args []string) error {
	if _, rest, err := subcommand(args, "verify"); err != nil {
		return err
	} else {
		args = rest
	}
	w, gov, af, _, err := adminSession(ctx, e, "audit verify", "", args, nil)
	if err != nil {
		return err
	}
	defer w.Close()
	ok, err := audit.CmdAuditVerify(ctx, gov.Trail, e.stdout, af.asJSON)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("audit trail verification failed: %w", errRuntimeReported)
	}
	return nil
}

// runUsage handles `ticketsum usage --by ... --since ...`.
func runUsage(ctx context.Context, e *env, args []string) error {
	var by, since string
	w, gov, af, _, err := adminSession(ctx, e, "usage", "", args, func(fs *flag.FlagSet) {
		fs.StringVar(&by, "by", "principal", "group by principal, model, product-line or day")
		fs.StringVar(&since, "since", "30d", "a date, an RFC 3339 time or a duration such as 24h or 7d")
	})
	if err != nil {
		return err
	}
	defer w.Close()
	from, err := audit.ParseSince(since, time.Now())
	if err != nil {
		return err
	}
	return audit.CmdUsage(ctx, gov.Trail, e.stdout, by, from, af.asJSON)
}
