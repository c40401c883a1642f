package access

import (
	"context"
	"fmt"
	"slices"

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
	// backfill, summarize and the Lambda function.
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
	// WorkerPrincipal is PrincipalWorker under its former name.
	WorkerPrincipal = PrincipalWorker
)

// AnyModel in an allow-list allows every model, so that the
// approved-model registry alone decides (the eval principal's default:
// evaluating is trying models, and only approved ones can be tried).
const AnyModel = "*"

// declaration is where the config declares a service principal.
type declaration struct {
	key string // the config key, such as "principals.worker"
}

// ReconcilePrincipal makes the stored principal p.Name equal to p, as
// declared at configKey (such as "principals.worker") in the config: it
// creates it when absent, and otherwise replaces its allow-list, use
// cases, limit and budget when they differ. A change is recorded in the
// audit trail as principal.reconcile by actor. From then on the service's
// denials for p name configKey as the fix (a `principals put` would be
// undone at the next start). It returns the stored principal, or EINVALID.
func (s *Service) ReconcilePrincipal(ctx context.Context, actor, configKey string, p *Principal) (*Principal, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s.declare(p.Name, configKey)
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
	details["config_key"] = configKey
	if err := s.record(ctx, actor, "principal.reconcile", want.Name, details); err != nil {
		return nil, err
	}
	return &want, nil
}

// Declared returns the config key that declares the principal name, and
// whether one does (ReconcilePrincipal ran for it in this process).
func (s *Service) Declared(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.declared[name]
	return d.key, ok
}

func (s *Service) declare(name, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.declared == nil {
		s.declared = map[string]declaration{}
	}
	s.declared[name] = declaration{key: key}
}

// samePrincipal reports whether a and b have the same settings (names and
// creation times aside). Lists compare as sets in order.
func samePrincipal(a, b *Principal) bool {
	return slices.Equal(a.Models, b.Models) && slices.Equal(a.UseCases, b.UseCases) &&
		a.RequestsPerMinute == b.RequestsPerMinute && usdToMicros(a.MonthlyBudgetUSD) == usdToMicros(b.MonthlyBudgetUSD)
}

// fix returns how to change one setting of p: the config key when p is
// declared in the config, else the `ticketsum principals put` command that
// changes that setting alone (put changes only the flags given). setting
// is the config key's last part (models, monthly_budget_usd,
// requests_per_minute) and flag the put flag with its new value.
func (s *Service) fix(p *Principal, setting, flag string) string {
	if key, ok := s.Declared(p.Name); ok {
		return fmt.Sprintf("set %s.%s in the config file (applied at every start)", key, setting)
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
	if key, ok := s.Declared(name); ok {
		return nil, false, ticketsum.Errorf(ticketsum.EINVALID, "principal %s is declared in the config at %s, which is applied at every start: change %s.models, %s.monthly_budget_usd or %s.requests_per_minute there instead",
			name, key, key, key, key)
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
func (s *Service) Declare(name, configKey string) { s.declare(name, configKey) }
