package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/app"
)

// initOptions are the flags of `ticketsum init`.
type initOptions struct {
	models        []string
	judge         string
	allowUnlisted bool
	as            string
	// catalogue is --catalogue: the override file a new config names
	catalogue string
	// budgets by role, set when the flag was given
	budgets map[access.Role]*float64
}

// newInitCmd is `ticketsum init`.
func newInitCmd(e *env) *cobra.Command {
	o := &initOptions{budgets: map[access.Role]*float64{}}
	var worker, evalB, judgeB float64
	cmd := &cobra.Command{
		Use:     "init",
		GroupID: groupSetup,
		Short:   "Set up a store, approve models and provision the service principals",
		Long: `Set up ticketsum in one step, safely repeated: write ticketsum.yaml when there is
none (the first --model becomes the default model), create the data directory
(0700) and the store (SQLite in the data directory, or the ticketsum schema of
the Postgres database given with --db, created when missing), approve each
--model and --judge after checking it against the catalogue (a custom model
or ARN needs a price first: an entry in the catalogue file the config names),
and provision the service principals the
processes act as: ticketsum-worker, ticketsum-eval (a budget of its own) and
ticketsum-judge, with the budgets given or the config's. Then it prints the
next commands. Run again, it changes only what differs.`,
		Example: `  ticketsum init
  ticketsum init --model bedrock:amazon.nova-lite-v1:0 --model bedrock:anthropic.claude-3-5-haiku-20241022-v1:0 \
    --judge bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0 --eval-budget 20
  ticketsum init --db postgres://ticketsum@db.internal:5432/support --model bedrock:amazon.nova-lite-v1:0`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for role, v := range map[access.Role]*float64{access.RoleWorker: &worker, access.RoleEval: &evalB, access.RoleJudge: &judgeB} {
				name := string(role) + "-budget"
				if !cmd.Flags().Changed(name) {
					continue
				}
				if *v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0) {
					return usagef("--%s: must be a non-negative number of USD, got %v", name, *v)
				}
				o.budgets[role] = v
			}
			return e.runInit(cmd, o)
		},
	}
	usesGlobals(cmd, allGlobals...)
	f := cmd.Flags()
	f.StringArrayVar(&o.models, "model", nil, "`MODEL` to approve, repeatable; the first becomes the default model of a new config (builtin needs no approval)")
	f.StringVar(&o.judge, "judge", "", "`MODEL` approved as eval's LLM judge and written as the judge principal's allow-list")
	f.Float64Var(&worker, "worker-budget", defaultWorkerBudgetUSD, "monthly budget in `USD` of the worker principal (production summaries)")
	f.Float64Var(&evalB, "eval-budget", defaultEvalBudgetUSD, "monthly budget in `USD` of the eval principal, never charged to production")
	f.Float64Var(&judgeB, "judge-budget", defaultJudgeBudgetUSD, "monthly budget in `USD` of the judge principal")
	f.StringVar(&o.catalogue, "catalogue", "", "catalogue override `FILE` (models and prices the built-in catalogue lacks, such as a new Bedrock model or an ARN) that the models are checked against, written as catalogue: in a new config")
	allowUnlistedFlag(cmd, &o.allowUnlisted)
	actorFlags(cmd, &o.as)
	return cmd
}

// runInit is `ticketsum init`: check everything, then write the config,
// the data directory and the store, approve and provision.
func (e *env) runInit(cmd *cobra.Command, o *initOptions) error {
	actor, err := e.actor(cmd, o.as)
	if err != nil {
		return err
	}
	for _, m := range o.models {
		if m != app.Builtin && !validModelName(m) {
			return usagef("--model: unknown model %q: want builtin, bedrock:<model id>, sagemaker:<endpoint> or openai:<model>", m)
		}
	}
	if o.judge != "" && !validModelName(o.judge) {
		return usagef("--judge: want a provider model (bedrock:<model id>, sagemaker:<endpoint> or openai:<model>), got %q", o.judge)
	}
	if o.catalogue != "" {
		abs, err := filepath.Abs(o.catalogue)
		if err != nil {
			return usagef("--catalogue %s: %v", o.catalogue, err)
		}
		o.catalogue = abs
	}
	path, _, err := e.configPath(cmd)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if statErr != nil && !errors.Is(statErr, os.ErrNotExist) {
		return ticketsum.Errorf(ticketsum.EINVALID, "config %s: %v", path, unwrapPathError(statErr))
	}
	var body []byte
	var cfg Config
	if exists {
		if cfg, err = e.load(cmd); err != nil {
			return err
		}
		if err := o.checkAgainst(cfg, path); err != nil {
			return err
		}
		if len(o.models) > 0 && o.models[0] != cfg.Model {
			fmt.Fprintf(e.stderr, "%s: note: the default model stays %s, as %s says; set model: there to make %s the default\n", cmd.CommandPath(), cfg.Model, path, o.models[0])
		}
	} else {
		body = o.configFile(e)
		l := &loaded{cfg: defaultConfig(), file: path, origins: map[string]string{}}
		if err := decodeConfig(body, &l.cfg); err != nil {
			return fmt.Errorf("init: the config it would write does not load: %w", err)
		}
		if err := l.applyEnv(e.getenv); err != nil {
			return err
		}
		if cfg, err = e.finishLoad(cmd, l); err != nil {
			return err
		}
	}
	w, err := newWiring(cmd.Context(), e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	approve := slices.DeleteFunc(slices.Clone(o.models), func(m string) bool { return m == app.Builtin })
	if o.judge != "" && !slices.Contains(approve, o.judge) {
		approve = append(approve, o.judge)
	}
	for _, m := range approve {
		if err := w.checkListed(m, o.allowUnlisted); err != nil {
			return err
		}
	}
	// Everything is checked: now write.
	if !exists {
		if err := writeNewFile("config", path, body); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", path)
	} else {
		fmt.Fprintf(e.stdout, "kept %s (it exists)\n", path)
	}
	return w.initStore(cmd.Context(), actor, approve, o.next())
}

// initStore creates the data directory and the store, approves models and
// provisions the service principals, saying what it did.
func (w *wiring) initStore(ctx context.Context, actor string, approve []string, evalArgs string) error {
	out := w.env.stdout
	_, statErr := os.Stat(w.cfg.DataDir)
	if err := w.ensureDataDir(); err != nil {
		return err
	}
	if statErr != nil {
		fmt.Fprintf(out, "created data directory %s (0700)\n", w.cfg.DataDir)
	}
	had := w.requireStore(ctx) == nil
	if _, err := w.openBackend(ctx, nil, nil); err != nil {
		return err
	}
	gov, err := w.governance(ctx)
	if err != nil {
		return err
	}
	where := w.cfg.DB
	if isPostgres(where) {
		where = redactDSN(where)
	}
	if had {
		fmt.Fprintf(out, "store %s is ready\n", where)
	} else {
		fmt.Fprintf(out, "created store %s\n", where)
	}
	for _, m := range approve {
		got, err := gov.Access.Store().FindApprovedModel(ctx, m)
		if err == nil {
			fmt.Fprintf(out, "model %s was approved by %s on %s\n", m, got.ApprovedBy, got.ApprovedAt.Format("2006-01-02"))
			continue
		}
		if ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
			return err
		}
		if err := gov.Access.ApproveModel(ctx, actor, m, "ticketsum init"); err != nil {
			return err
		}
		fmt.Fprintf(out, "approved model %s (by %s)\n", m, actor)
	}
	for _, role := range access.Roles {
		name, err := w.principalFor(ctx, role)
		if err != nil {
			return err
		}
		p := w.cfg.servicePrincipal(role)
		models := strings.Join(p.Models, ",")
		switch {
		case models == access.AnyModel:
			models = "any approved model"
		case models == "":
			models = "no model (builtin needs none)"
		}
		fmt.Fprintf(out, "principal %s (%s): $%.2f/month, %s\n", name, principalKey(role), p.MonthlyBudgetUSD, models)
	}
	w.printNext(evalArgs)
	return nil
}

// next returns the eval arguments init suggests: the built-in model and
// the --model candidates, judged by the --judge model (which is not a
// candidate unless it was also given with --model).
func (o *initOptions) next() string {
	models := []string{app.Builtin}
	for _, m := range o.models {
		if !slices.Contains(models, m) {
			models = append(models, m)
		}
	}
	args := "--models " + strings.Join(models, ",")
	if o.judge != "" {
		args += " --judge " + o.judge
	}
	return args
}

// printNext prints the commands that come after init; evalArgs are the
// eval command's model arguments.
func (w *wiring) printNext(evalArgs string) {
	fmt.Fprintf(w.env.stdout, `
Next:
  ticketsum import tickets.jsonl       # your tickets (or: ticketsum serve, which loads 50 samples)
  ticketsum eval --dataset labelled.jsonl %s
  ticketsum worker                     # summarise the queued tickets as %s
  ticketsum usage                      # spend per principal
`, evalArgs, w.cfg.servicePrincipal(access.RoleWorker).Name)
}

// configFile is the ticketsum.yaml init writes: the settings its flags
// give, and the service principals' budgets.
func (o *initOptions) configFile(e *env) []byte {
	var b strings.Builder
	b.WriteString("# ticketsum configuration, written by `ticketsum init`.\n")
	b.WriteString("# `ticketsum config init --out -` prints every setting with its default and what it does.\n")
	if e.globals.dataDir != "" {
		fmt.Fprintf(&b, "data_dir: %s\n", yamlString(e.globals.dataDir))
	}
	if db := e.globals.db; db != "" {
		if u, err := url.Parse(db); err == nil && isPostgres(db) && u.User != nil {
			if _, ok := u.User.Password(); ok {
				b.WriteString("# db: not written, as the URL holds a password: give it with --db or TICKETSUM_DB.\n")
				db = ""
			}
		}
		if db != "" {
			fmt.Fprintf(&b, "db: %s\n", yamlString(db))
		}
	}
	model := app.Builtin
	if len(o.models) > 0 {
		model = o.models[0]
	}
	fmt.Fprintf(&b, "model: %s\n", yamlString(model))
	if o.catalogue != "" {
		fmt.Fprintf(&b, "catalogue: %s\n", yamlString(o.catalogue))
	}
	b.WriteString("\n# The principals ticketsum's processes act as, applied at every start.\nprincipals:\n")
	for _, role := range access.Roles {
		fmt.Fprintf(&b, "  %s:\n", role)
		if role == access.RoleJudge && o.judge != "" {
			fmt.Fprintf(&b, "    models: [%s]\n", yamlString(o.judge))
		}
		fmt.Fprintf(&b, "    monthly_budget_usd: %s\n", strconv.FormatFloat(o.budget(role), 'f', -1, 64))
	}
	return []byte(b.String())
}

// budget is the budget flag of role, or its default.
func (o *initOptions) budget(role access.Role) float64 {
	if v := o.budgets[role]; v != nil {
		return *v
	}
	switch role {
	case access.RoleEval:
		return defaultEvalBudgetUSD
	case access.RoleJudge:
		return defaultJudgeBudgetUSD
	}
	return defaultWorkerBudgetUSD
}

// checkAgainst refuses budget flags that an existing config contradicts:
// init writes settings only into a new config, and the config is applied
// at every start, so the flag would be undone.
func (o *initOptions) checkAgainst(cfg Config, path string) error {
	for _, role := range access.Roles {
		v := o.budgets[role]
		if v == nil {
			continue
		}
		if got := cfg.servicePrincipal(role).MonthlyBudgetUSD; got != *v {
			return usagef("--%s-budget %v: %s exists and gives principal %s $%v a month: change %s.monthly_budget_usd there (init writes budgets only into a new config)",
				role, *v, path, cfg.servicePrincipal(role).Name, got, principalKey(role))
		}
	}
	if o.catalogue != "" && o.catalogue != cfg.Catalogue {
		return usagef("--catalogue %s: %s exists and names catalogue %q: set catalogue: there (init writes settings only into a new config)", o.catalogue, path, cfg.Catalogue)
	}
	return nil
}

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string {
	return strconv.QuoteToASCII(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}

// writeNewFile writes data to a new file at path (0600), refusing to
// replace one; what names the file in errors ("config", "session key").
func writeNewFile(what, path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "write %s %s: %v", what, path, unwrapPathError(err))
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s %s: %w", what, path, err)
	}
	return f.Close()
}
