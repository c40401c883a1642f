package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/app"
)

// PrincipalsConfig declares the service principals ticketsum's own
// processes act as. Each is reconciled with the store when a process starts
// acting as it: its allow-list, budget and limit are the config's, never
// what the first model called happened to be.
type PrincipalsConfig struct {
	// Worker makes production summaries (worker, serve, watch, backfill,
	// summarize). Default name ticketsum-worker; models the default model,
	// its fallbacks and every model under models:; budget
	// governance.worker_monthly_budget_usd, else $100.
	Worker ServicePrincipalConfig `yaml:"worker"`
	// Eval runs `ticketsum eval`, on a budget of its own that production
	// never shares. Default name ticketsum-eval; models "*" (every approved
	// model: evaluating is trying models); budget $20.
	Eval ServicePrincipalConfig `yaml:"eval"`
	// Judge scores eval outputs as an LLM judge. Default name
	// ticketsum-judge; models "*" (every approved model); budget $10.
	Judge ServicePrincipalConfig `yaml:"judge"`
}

// ServicePrincipalConfig is one service principal.
type ServicePrincipalConfig struct {
	// Name is the principal's name (default ticketsum-<role>).
	Name string `yaml:"name"`
	// Models is the allow-list: exact names or globs; "*" allows every
	// approved model. Default: see PrincipalsConfig.
	Models []string `yaml:"models"`
	// MonthlyBudgetUSD caps the principal's spend per calendar month (UTC);
	// 0 lets it spend nothing. Default: see PrincipalsConfig.
	MonthlyBudgetUSD *float64 `yaml:"monthly_budget_usd"`
	// RequestsPerMinute limits its calls (default 0: no limit beyond the
	// models' own rpm).
	RequestsPerMinute int `yaml:"requests_per_minute"`
}

// Default budgets of the service principals, in USD per month.
const (
	defaultWorkerBudgetUSD = 100
	defaultEvalBudgetUSD   = 20
	defaultJudgeBudgetUSD  = 10
)

// principalConfig returns the configured settings of role's principal.
func (c *Config) principalConfig(role access.Role) ServicePrincipalConfig {
	switch role {
	case access.RoleEval:
		return c.Principals.Eval
	case access.RoleJudge:
		return c.Principals.Judge
	}
	return c.Principals.Worker
}

// servicePrincipal returns role's principal as the config declares it,
// defaults filled in.
func (c *Config) servicePrincipal(role access.Role) *access.Principal {
	pc := c.principalConfig(role)
	p := &access.Principal{Name: pc.Name, Models: slices.Clone(pc.Models), RequestsPerMinute: pc.RequestsPerMinute, UseCases: []string{string(role)}}
	var budget float64
	switch role {
	case access.RoleWorker:
		p.UseCases = []string{"summarize"}
		budget = defaultWorkerBudgetUSD
		if c.Governance.WorkerMonthlyBudgetUSD > 0 {
			budget = c.Governance.WorkerMonthlyBudgetUSD
		}
		if p.Name == "" {
			p.Name = access.PrincipalWorker
		}
		if pc.Models == nil {
			p.Models = c.workerModels()
		}
	case access.RoleEval:
		budget = defaultEvalBudgetUSD
		if p.Name == "" {
			p.Name = access.PrincipalEval
		}
	case access.RoleJudge:
		budget = defaultJudgeBudgetUSD
		if p.Name == "" {
			p.Name = access.PrincipalJudge
		}
	}
	if pc.Models == nil && role != access.RoleWorker {
		p.Models = []string{access.AnyModel}
	}
	if pc.MonthlyBudgetUSD != nil {
		budget = *pc.MonthlyBudgetUSD
	}
	p.MonthlyBudgetUSD = budget
	return p
}

// workerModels is the worker's default allow-list: the default model, its
// fallbacks, and every model configured under models: with its fallbacks,
// in that order, without duplicates and without builtin (which makes no
// governed call).
func (c *Config) workerModels() []string {
	var out []string
	add := func(m string) {
		if m != "" && m != app.Builtin && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	add(c.Model)
	for _, f := range c.Models[c.Model].Fallback {
		add(f)
	}
	names := make([]string, 0, len(c.Models))
	for n := range c.Models {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		add(n)
		for _, f := range c.Models[n].Fallback {
			add(f)
		}
	}
	return out
}

// principalKey is the config key that declares role's principal.
func principalKey(role access.Role) string { return "principals." + string(role) }

// checkPrincipals checks the service principals: valid names, globs,
// budgets and limits, and a distinct name for each role.
func (c *Config) checkPrincipals() error {
	seen := map[string]access.Role{}
	for _, role := range access.Roles {
		pc := c.principalConfig(role)
		key := principalKey(role)
		switch {
		case pc.MonthlyBudgetUSD != nil && (*pc.MonthlyBudgetUSD < 0 || *pc.MonthlyBudgetUSD != *pc.MonthlyBudgetUSD):
			return badKey(key+".monthly_budget_usd", "must be a non-negative number of USD (0: it may spend nothing), got %v", *pc.MonthlyBudgetUSD)
		case pc.RequestsPerMinute < 0:
			return badKey(key+".requests_per_minute", "must not be negative (0: no limit), got %d", pc.RequestsPerMinute)
		}
		p := c.servicePrincipal(role)
		if err := p.Validate(); err != nil {
			return badKey(key, "%s", ticketsum.ErrorMessage(err))
		}
		if other, ok := seen[p.Name]; ok {
			return badKey(key+".name", "%s is already the name of %s: each role needs a principal of its own (so that eval never spends production's budget)", p.Name, principalKey(other))
		}
		seen[p.Name] = role
	}
	return nil
}

// declarePrincipals tells the access service which principals the config
// declares, and that the Lambda function's environment declares its own,
// so that denials for them name the setting and `principals put` refuses
// to change them (the next start would undo it).
func (w *wiring) declarePrincipals(gov *app.Governance) {
	for _, role := range access.Roles {
		gov.Access.Declare(w.cfg.servicePrincipal(role).Name, principalKey(role))
	}
	gov.Access.DeclareAt(access.PrincipalLambda, access.LambdaDeclaration())
}

// principalFor returns the name of the principal role acts as, after
// reconciling it with the config (once per process): created when absent,
// its allow-list, budget and limit set to the config's. Every command
// calls models through it: worker, serve, watch, backfill and summarize as
// access.RoleWorker, eval as access.RoleEval and its judge as
// access.RoleJudge.
func (w *wiring) principalFor(ctx context.Context, role access.Role) (string, error) {
	p := w.cfg.servicePrincipal(role)
	w.recMu.Lock()
	defer w.recMu.Unlock()
	if w.reconciled[role] {
		return p.Name, nil
	}
	gov, err := w.governance(ctx)
	if err != nil {
		return "", err
	}
	if _, err := gov.Access.ReconcilePrincipal(ctx, "config", principalKey(role), p); err != nil {
		return "", fmt.Errorf("apply %s (principal %s): %w", principalKey(role), p.Name, err)
	}
	if w.reconciled == nil {
		w.reconciled = map[access.Role]bool{}
	}
	w.reconciled[role] = true
	return p.Name, nil
}

// summarizerFor returns the Summarizer for model and prompt version ("" for
// the configured one) calling as role's principal (reconciled first). The
// built-in model makes no governed call and needs none.
func (w *wiring) summarizerFor(ctx context.Context, model, promptVersion string, role access.Role) (ticketsum.Summarizer, error) {
	if model == app.Builtin {
		return w.summarizerAs(ctx, model, promptVersion, "")
	}
	name, err := w.principalFor(ctx, role)
	if err != nil {
		return nil, err
	}
	return w.summarizerAs(ctx, model, promptVersion, name)
}

// modelFor returns model behind its governed gateway, every call made as
// role's principal (reconciled first) unless the request names one: for
// callers that build their own requests, such as eval's LLM judge
// (access.RoleJudge).
func (w *wiring) modelFor(ctx context.Context, model string, role access.Role) (ticketsum.Model, error) {
	if !validModelName(model) {
		return nil, app.UnknownModel(model)
	}
	name, err := w.principalFor(ctx, role)
	if err != nil {
		return nil, err
	}
	g, err := w.gatewayFor(ctx, model)
	if err != nil {
		return nil, err
	}
	m, err := g.Model(model)
	if err != nil {
		return nil, err
	}
	return &actingModel{next: m, principal: name, useCase: string(role)}, nil
}

// actingModel makes every call as one principal.
type actingModel struct {
	next               ticketsum.Model
	principal, useCase string
}

var _ ticketsum.Model = (*actingModel)(nil)

// Name returns the wrapped model's name.
func (a *actingModel) Name() string { return a.next.Name() }

// Generate names the principal (and use case) on a request that names none,
// and calls the model.
func (a *actingModel) Generate(ctx context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	if req != nil && req.Meta.Principal == "" {
		r := *req
		r.Meta.Principal = a.principal
		if r.Meta.UseCase == "" {
			r.Meta.UseCase = a.useCase
		}
		req = &r
	}
	return a.next.Generate(ctx, req)
}
