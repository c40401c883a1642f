package access

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ticketsum/ticketsum"
)

// Role is the job a service principal does. Every ticketsum process acts as
// the principal of one role, declared in the config (principals.<role>) and
// reconciled with the store at start (ReconcilePrincipal): its allow-list,
// budget and limit come from the config, never from the first model a
// process happens to call.
type Role string

// The service roles.
const (
	// RoleWorker makes production summaries: worker, serve, watch,
	// backfill, summarize, and the Lambda function (as ticketsum-lambda,
	// declared by its environment: ReconcileDeclared).
	RoleWorker Role = "worker"
	// RoleEval runs evaluations, on a budget of its own that production
	// never shares.
	RoleEval Role = "eval"
	// RoleJudge scores evaluation outputs as an LLM judge.
	RoleJudge Role = "judge"
)

// Roles lists the service roles in the order they are documented.
var Roles = []Role{RoleWorker, RoleEval, RoleJudge}

// The default names of the service principals (principals.<role>.name in
// the config changes them).
const (
	// PrincipalWorker is the default principal of RoleWorker.
	PrincipalWorker = "ticketsum-worker"
	// PrincipalEval is the default principal of RoleEval.
	PrincipalEval = "ticketsum-eval"
	// PrincipalJudge is the default principal of RoleJudge.
	PrincipalJudge = "ticketsum-judge"
	// PrincipalLambda is the principal of the Lambda function
	// (cmd/ticketsum-lambda), declared by its environment
	// (LambdaDeclaration).
	PrincipalLambda = "ticketsum-lambda"
)

// LambdaDeclaration is where PrincipalLambda is declared: the function's
// environment, which deploy/template.yaml sets from its parameters. The
// function reconciles its principal with it at every cold start
// (ReconcileDeclared); the command tree declares it too (DeclareAt), so
// that `principals put` refuses a change the next cold start would undo.
func LambdaDeclaration() Declaration {
	return Declaration{Key: "the environment of the ticketsum-lambda function", Env: map[string]EnvSetting{
		SettingModels: {Var: "TICKETSUM_PRINCIPAL_MODELS", Param: "CloudFormation parameter PrincipalModels"},
		SettingBudget: {Var: "TICKETSUM_MONTHLY_BUDGET_USD", Param: "CloudFormation parameter MonthlyBudgetUSD"},
		SettingRPM:    {Var: "TICKETSUM_PRINCIPAL_RPM", Param: "CloudFormation parameter PrincipalRPM"},
	}}
}

// AnyModel in an allow-list allows every model, so that the
// approved-model registry alone decides (the eval principal's default:
// evaluating is trying models, and only approved ones can be tried).
const AnyModel = "*"

// Declaration says where a service principal is declared, so that its
// denials name the setting that changes it and `principals put` refuses to
// change it (the next start would undo the change).
type Declaration struct {
	// Key names the declaration: the config key, such as
	// "principals.worker", or for a process configured by its environment
	// a description, such as "the environment of ticketsum-lambda". It is
	// recorded as config_key in the audit trail.
	Key string
	// Env, when set, says that the environment declares the principal: it
	// maps each setting (SettingModels, SettingBudget, SettingRPM) to the
	// variable that sets it, and the denials name that variable instead of
	// a config key.
	Env map[string]EnvSetting
}

// EnvSetting is the environment variable that sets one setting of a
// principal declared by its environment, and where a deployment sets it.
type EnvSetting struct {
	// Var is the environment variable, such as TICKETSUM_MONTHLY_BUDGET_USD.
	Var string
	// Param is what sets Var in a deployment, named in the fix beside it,
	// such as "CloudFormation parameter MonthlyBudgetUSD". Empty for none.
	Param string
}

// The settings of a declared principal, as Declaration.Env keys them (and
// as the config file names them under principals.<role>).
const (
	// SettingModels is the allow-list.
	SettingModels = "models"
	// SettingBudget is the monthly budget in USD.
	SettingBudget = "monthly_budget_usd"
	// SettingRPM is the requests-per-minute limit.
	SettingRPM = "requests_per_minute"
)

// fix returns how to set setting to value under d.
func (d Declaration) fix(setting, value string) string {
	e, ok := d.Env[setting]
	if !ok {
		return fmt.Sprintf("set %s.%s in the config file (applied at every start)", d.Key, setting)
	}
	where := "in " + d.Key
	if e.Param != "" {
		where += " (" + e.Param + ")"
	}
	return fmt.Sprintf("set %s=%s %s, applied at every cold start", e.Var, value, where)
}

// settings names where d's three settings are changed.
func (d Declaration) settings() string {
	if d.Env == nil {
		return fmt.Sprintf("change %s.models, %s.monthly_budget_usd or %s.requests_per_minute there instead", d.Key, d.Key, d.Key)
	}
	var names []string
	for _, setting := range []string{SettingModels, SettingBudget, SettingRPM} {
		if e, ok := d.Env[setting]; ok {
			names = append(names, e.Var)
		}
	}
	return "change " + strings.Join(names, ", ") + " there instead"
}

// ReconcilePrincipal makes the stored principal p.Name equal to p, as
// declared at configKey (such as "principals.worker") in the config: it
// creates it when absent, and otherwise replaces its allow-list, use
// cases, limit and budget when they differ. A change is recorded in the
// audit trail as principal.reconcile by actor. From then on the service's
// denials for p name configKey as the fix (a `principals put` would be
// undone at the next start). It returns the stored principal, or EINVALID.
func (s *Service) ReconcilePrincipal(ctx context.Context, actor, configKey string, p *Principal) (*Principal, error) {
	return s.ReconcileDeclared(ctx, actor, Declaration{Key: configKey}, p)
}

// ReconcileDeclared is ReconcilePrincipal for a principal declared at d:
// by a config key, or by the environment of a process configured by it
// (such as the Lambda function), whose denials then name the environment
// variable and deployment parameter that fix them.
func (s *Service) ReconcileDeclared(ctx context.Context, actor string, d Declaration, p *Principal) (*Principal, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s.declareAt(p.Name, d)
	got, err := s.cfg.Store.FindPrincipal(ctx, p.Name)
	switch {
	case ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND:
		err = s.CreatePrincipal(ctx, actor, p)
		if ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT { // another process created it: compare below
			if err != nil {
				return nil, err
			}
			return s.cfg.Store.FindPrincipal(ctx, p.Name)
		}
		if got, err = s.cfg.Store.FindPrincipal(ctx, p.Name); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	if samePrincipal(got, p) {
		return got, nil
	}
	want := *p
	want.CreatedAt = got.CreatedAt
	if err := s.cfg.Store.UpdatePrincipal(ctx, &want); err != nil {
		return nil, err
	}
	details := principalDetails(&want)
	details["config_key"] = d.Key
	if err := s.record(ctx, actor, "principal.reconcile", want.Name, details); err != nil {
		return nil, err
	}
	return &want, nil
}

// Declared returns the key of the declaration of the principal name (its
// config key), and whether there is one (ReconcilePrincipal,
// ReconcileDeclared or Declare ran for it in this process).
func (s *Service) Declared(name string) (string, bool) {
	d, ok := s.declaration(name)
	return d.Key, ok
}

func (s *Service) declaration(name string) (Declaration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.declared[name]
	return d, ok
}

func (s *Service) declareAt(name string, d Declaration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.declared == nil {
		s.declared = map[string]Declaration{}
	}
	s.declared[name] = d
}

// samePrincipal reports whether a and b have the same settings (names and
// creation times aside). Lists compare as sets in order.
func samePrincipal(a, b *Principal) bool {
	return slices.Equal(a.Models, b.Models) && slices.Equal(a.UseCases, b.UseCases) &&
		a.RequestsPerMinute == b.RequestsPerMinute && usdToMicros(a.MonthlyBudgetUSD) == usdToMicros(b.MonthlyBudgetUSD)
}

// fix returns how to change one setting of p: where it is declared (the
// config key, or the environment variable) when it is, else the
// `ticketsum principals put` command that changes that setting alone (put
// changes only the flags given). setting is SettingModels, SettingBudget
// or SettingRPM, and flag the put flag with its new value, such as
// "--budget 200" or "--models 'a,b'".
func (s *Service) fix(p *Principal, setting, flag string) string {
	if d, ok := s.declaration(p.Name); ok {
		_, value, _ := strings.Cut(flag, " ")
		return d.fix(setting, strings.Trim(value, "'"))
	}
	return fmt.Sprintf("run `ticketsum principals put %s %s`", p.Name, flag)
}

// PrincipalPatch is a change to some settings of a principal: nil fields
// are left as they are.
type PrincipalPatch struct {
	Models            *[]string
	UseCases          *[]string
	RequestsPerMinute *int
	MonthlyBudgetUSD  *float64
}

// PatchPrincipal changes the settings of the principal name that patch
// gives and leaves the others, or creates the principal when there is
// none; a new principal needs a budget (EINVALID naming --budget
// otherwise: a principal without one could not spend anything). A
// principal declared in the config is refused (EINVALID naming its config
// key: the next start would undo the change). It returns the stored
// principal and whether it was created.
func (s *Service) PatchPrincipal(ctx context.Context, actor, name string, patch PrincipalPatch) (*Principal, bool, error) {
	if d, ok := s.declaration(name); ok {
		if d.Env != nil {
			return nil, false, ticketsum.Errorf(ticketsum.EINVALID, "principal %s is declared by %s, which is applied at every cold start: %s", name, d.Key, d.settings())
		}
		return nil, false, ticketsum.Errorf(ticketsum.EINVALID, "principal %s is declared in the config at %s, which is applied at every start: %s", name, d.Key, d.settings())
	}
	p, err := s.cfg.Store.FindPrincipal(ctx, name)
	created := ticketsum.ErrorCodeOf(err) == ticketsum.ENOTFOUND
	switch {
	case created && patch.MonthlyBudgetUSD == nil:
		return nil, false, ticketsum.Errorf(ticketsum.EINVALID, "principal %s does not exist, and a new principal needs a budget: pass --budget USD (its monthly budget; 0 lets it spend nothing) and --models", truncate(name, 70))
	case created:
		p = &Principal{Name: name}
	case err != nil:
		return nil, false, err
	}
	if patch.Models != nil {
		p.Models = *patch.Models
	}
	if patch.UseCases != nil {
		p.UseCases = *patch.UseCases
	}
	if patch.RequestsPerMinute != nil {
		p.RequestsPerMinute = *patch.RequestsPerMinute
	}
	if patch.MonthlyBudgetUSD != nil {
		p.MonthlyBudgetUSD = *patch.MonthlyBudgetUSD
	}
	if created {
		err = s.CreatePrincipal(ctx, actor, p)
	} else {
		err = s.UpdatePrincipal(ctx, actor, p)
	}
	if err != nil {
		return nil, false, err
	}
	return p, created, nil
}

// Declare records that the config declares the principal name at
// configKey (such as "principals.worker") without touching the store:
// denials for it name the config key, and PatchPrincipal refuses it.
// ReconcilePrincipal declares too.
func (s *Service) Declare(name, configKey string) { s.declareAt(name, Declaration{Key: configKey}) }

// DeclareAt is Declare for a principal declared at d, such as the Lambda
// function's (LambdaDeclaration).
func (s *Service) DeclareAt(name string, d Declaration) { s.declareAt(name, d) }
