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
