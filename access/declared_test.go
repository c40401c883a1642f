package access_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
)

func TestReconcilePrincipalFollowsTheConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, rec := MustService(t)
	want := &access.Principal{Name: access.PrincipalWorker, UseCases: []string{"summarize"}, Models: []string{haiku}, MonthlyBudgetUSD: 100}
	got, err := svc.ReconcilePrincipal(ctx, "config", "principals.worker", want)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Models, want.Models) || got.MonthlyBudgetUSD != 100 {
		t.Fatalf("created %+v", got)
	}
	// Started again with another model and budget: the config wins, not
	// the first model the principal was created with.
	next := &access.Principal{Name: access.PrincipalWorker, UseCases: []string{"summarize"}, Models: []string{"bedrock:amazon.nova-lite-v1:0", haiku}, MonthlyBudgetUSD: 40, RequestsPerMinute: 30}
	if _, err := svc.ReconcilePrincipal(ctx, "config", "principals.worker", next); err != nil {
		t.Fatal(err)
	}
	stored, err := svc.Store().FindPrincipal(ctx, access.PrincipalWorker)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored.Models, next.Models) || stored.MonthlyBudgetUSD != 40 || stored.RequestsPerMinute != 30 {
		t.Errorf("after reconcile stored %+v, want the config's %+v", stored, next)
	}
	// The same config again changes nothing and records nothing.
	before := len(rec.events)
	if _, err := svc.ReconcilePrincipal(ctx, "config", "principals.worker", next); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range rec.events {
		actions = append(actions, e.action+" "+e.target+" by "+e.actor)
	}
	if len(rec.events) != before {
		t.Errorf("an unchanged reconcile recorded %v", actions[before:])
	}
	wantActions := []string{"principal.create ticketsum-worker by config", "principal.reconcile ticketsum-worker by config"}
	if !slices.Equal(actions, wantActions) {
		t.Errorf("recorded %v, want %v", actions, wantActions)
	}
	if key, ok := svc.Declared(access.PrincipalWorker); !ok || key != "principals.worker" {
		t.Errorf("Declared = %q, %v", key, ok)
	}
	if _, err := svc.ReconcilePrincipal(ctx, "config", "principals.worker", &access.Principal{Name: "Bad Name"}); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Errorf("invalid principal: %v", err)
	}
}

func TestPatchPrincipalChangesOnlyWhatIsGiven(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := MustService(t)
	models, budget := []string{"bedrock:anthropic.claude-*"}, 50.0
	if _, created, err := svc.PatchPrincipal(ctx, "alice", "support-bot", access.PrincipalPatch{Models: &models, MonthlyBudgetUSD: &budget}); err != nil || !created {
		t.Fatalf("create: created %v, %v", created, err)
	}
	rpm := 10
	p, created, err := svc.PatchPrincipal(ctx, "alice", "support-bot", access.PrincipalPatch{RequestsPerMinute: &rpm})
	if err != nil || created {
		t.Fatalf("patch: created %v, %v", created, err)
	}
	stored, err := svc.Store().FindPrincipal(ctx, "support-bot")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []*access.Principal{p, stored} {
		if !slices.Equal(q.Models, models) || q.MonthlyBudgetUSD != 50 || q.RequestsPerMinute != 10 {
			t.Errorf("after --rpm 10: %+v, want allow-list and budget kept", q)
		}
	}
}

func TestPatchPrincipalRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := MustService(t)
	if _, err := svc.ReconcilePrincipal(ctx, "config", "principals.judge", &access.Principal{Name: access.PrincipalJudge, Models: []string{access.AnyModel}, MonthlyBudgetUSD: 10}); err != nil {
		t.Fatal(err)
	}
	models, rpm := []string{haiku}, 5
	tests := []struct {
		name, principal string
		patch           access.PrincipalPatch
		want            string
	}{
		{"new without budget", "analytics", access.PrincipalPatch{Models: &models}, "principal analytics does not exist, and a new principal needs a budget: pass --budget USD"},
		{"declared in config", access.PrincipalJudge, access.PrincipalPatch{RequestsPerMinute: &rpm}, "principal ticketsum-judge is declared in the config at principals.judge, which is applied at every start: change principals.judge.models"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := svc.PatchPrincipal(ctx, "alice", tt.principal, tt.patch)
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(ticketsum.ErrorMessage(err), tt.want) {
				t.Errorf("err = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
	if _, err := svc.Store().FindPrincipal(ctx, "analytics"); ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
		t.Errorf("refused principal was stored: %v", err)
	}
}

func TestAnyModelAllowsEveryName(t *testing.T) {
	t.Parallel()
	p := &access.Principal{Name: "eval", Models: []string{access.AnyModel}}
	for _, m := range []string{haiku, "bedrock:arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0", "openai:llama3"} {
		if !p.Allows(m) {
			t.Errorf("%q does not allow %s", access.AnyModel, m)
		}
	}
}

// A principal declared by its environment is reconciled like one declared
// in the config, and every denial names the environment variable and the
// deployment parameter to change, not a config file it does not have.
func TestReconcileDeclaredByEnvironment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, rec := MustService(t)
	for _, m := range []string{haiku, "bedrock:amazon.nova-lite-v1:0"} {
		if err := svc.ApproveModel(ctx, "admin", m, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.ReconcileDeclared(ctx, "environment", access.LambdaDeclaration(), &access.Principal{Name: "ticketsum-lambda", Models: []string{haiku}, MonthlyBudgetUSD: 5}); err != nil {
		t.Fatal(err)
	}
	// The next cold start has a smaller budget and a limit: applied and audited.
	want := &access.Principal{Name: "ticketsum-lambda", Models: []string{haiku}, MonthlyBudgetUSD: 0.01, RequestsPerMinute: 6}
	if _, err := svc.ReconcileDeclared(ctx, "environment", access.LambdaDeclaration(), want); err != nil {
		t.Fatal(err)
	}
	last := rec.events[len(rec.events)-1]
	if last.action != "principal.reconcile" || last.actor != "environment" {
		t.Errorf("last audit event %s by %s, want principal.reconcile by environment", last.action, last.actor)
	}
	if key, ok := svc.Declared("ticketsum-lambda"); !ok || key != access.LambdaDeclaration().Key {
		t.Errorf("Declared = %q, %v", key, ok)
	}

	wrap := access.Middleware(svc, fixedEstimate(0.02))
	tests := []struct {
		name, model, want string
		calls             int
	}{
		{"not in allow-list", "bedrock:amazon.nova-lite-v1:0", "(rule: principal allow-list); to add it, set TICKETSUM_PRINCIPAL_MODELS=" + haiku + ",bedrock:amazon.nova-lite-v1:0 in the environment of the ticketsum-lambda function (CloudFormation parameter PrincipalModels), applied at every cold start", 1},
		{"over budget", haiku, "(rule: principal monthly budget; this call may cost up to $0.0200): to raise it, set TICKETSUM_MONTHLY_BUDGET_USD=1.00 in the environment of the ticketsum-lambda function (CloudFormation parameter MonthlyBudgetUSD), applied at every cold start", 1},
	}
	for _, tt := range tests {
		m := wrap(&fakeModel{name: tt.model, cost: 0.01})
		_, err := m.Generate(ctx, &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "ticketsum-lambda"}})
		if msg := ticketsum.ErrorMessage(err); !strings.Contains(msg, tt.want) || strings.Contains(msg, "config file") {
			t.Errorf("%s: %q, want it to contain %q", tt.name, msg, tt.want)
		}
	}
	rpm := 60
	_, _, err := svc.PatchPrincipal(ctx, "alice", "ticketsum-lambda", access.PrincipalPatch{RequestsPerMinute: &rpm})
	if want := "principal ticketsum-lambda is declared by the environment of the ticketsum-lambda function, which is applied at every cold start: change TICKETSUM_PRINCIPAL_MODELS, TICKETSUM_MONTHLY_BUDGET_USD, TICKETSUM_PRINCIPAL_RPM there instead"; ticketsum.ErrorMessage(err) != want {
		t.Errorf("principals put on it: %v, want %q", err, want)
	}
}
