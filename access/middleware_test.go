package access_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/internal/dbtest"
)

func TestMiddlewareAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := MustService(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.ApproveModel(ctx, "admin", haiku, ""))
	must(svc.ApproveModel(ctx, "admin", "bedrock:amazon.nova-lite-v1:0", ""))
	must(svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"bedrock:anthropic.claude-*"}, MonthlyBudgetUSD: 1}))
	must(svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "broke", Models: []string{"*"}, MonthlyBudgetUSD: 0.01}))
	must(svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "slow", Models: []string{"*"}, MonthlyBudgetUSD: 1, RequestsPerMinute: 6}))

	// Service principals are declared in the config: their denials name the
	// config key, since a `principals put` would be undone at the next start.
	_, err := svc.ReconcilePrincipal(ctx, "config", "principals.eval", &access.Principal{Name: access.PrincipalEval, Models: []string{haiku}, MonthlyBudgetUSD: 0.01, RequestsPerMinute: 6})
	must(err)

	wrap := access.Middleware(svc, fixedEstimate(0.02))
	// Every denial names the principal, the rule and the fix (wantMsg).
	tests := []struct {
		name, principal, model, wantMsg string
		wantCode                        ticketsum.ErrorCode
		calls                           int // how many calls in a row; the last one is checked
	}{
		{"allowed", "team-a", haiku, "", "", 1},
		{"no principal", "", haiku, "no principal (rule: every call acts as a principal): the calling process must act as one, such as principals.worker", ticketsum.EUNAUTHORIZED, 1},
		{"unknown principal", "ghost", haiku, "unknown principal ghost: create it with `ticketsum principals put ghost --models MODEL --budget USD`", ticketsum.EUNAUTHORIZED, 1},
		{"model not approved", "team-a", "bedrock:anthropic.claude-opus-4-1", "principal team-a may not call model bedrock:anthropic.claude-opus-4-1: it is not approved (rule: approved-model registry); an administrator approves it with `ticketsum models approve bedrock:anthropic.claude-opus-4-1`", ticketsum.EFORBIDDEN, 1},
		{"model not in allow-list", "team-a", "bedrock:amazon.nova-lite-v1:0", "principal team-a may not call model bedrock:amazon.nova-lite-v1:0: it is not in allow-list [bedrock:anthropic.claude-*] (rule: principal allow-list); to add it, run `ticketsum principals put team-a --models 'bedrock:anthropic.claude-*,bedrock:amazon.nova-lite-v1:0'`", ticketsum.EFORBIDDEN, 1},
		{"over budget", "broke", haiku, "monthly budget of $0.0100 for principal broke is spent for 2026-11 (rule: principal monthly budget; this call may cost up to $0.0200): to raise it, run `ticketsum principals put broke --budget 1.00`", ticketsum.EQUOTA, 1},
		{"over rate limit", "slow", haiku, "principal slow is over its limit of 6 requests per minute (rule: principal rpm;", ticketsum.ETHROTTLED, 2},
		{"declared: not in allow-list", access.PrincipalEval, "bedrock:amazon.nova-lite-v1:0", "principal ticketsum-eval may not call model bedrock:amazon.nova-lite-v1:0: it is not in allow-list [" + haiku + "] (rule: principal allow-list); to add it, set principals.eval.models in the config file (applied at every start)", ticketsum.EFORBIDDEN, 1},
		{"declared: over budget", access.PrincipalEval, haiku, "for principal ticketsum-eval is spent for 2026-11 (rule: principal monthly budget; this call may cost up to $0.0200): to raise it, set principals.eval.monthly_budget_usd in the config file", ticketsum.EQUOTA, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &fakeModel{name: tt.model, cost: 0.01}
			wrapped := wrap(m)
			var err error
			for range tt.calls {
				_, err = wrapped.Generate(ctx, &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: tt.principal}})
			}
			if code := ticketsum.ErrorCodeOf(err); code != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", code, err, tt.wantCode)
			}
			if err != nil && !strings.Contains(ticketsum.ErrorMessage(err), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", ticketsum.ErrorMessage(err), tt.wantMsg)
			}
			wantCalls := 0
			if err == nil {
				wantCalls = tt.calls
			} else if tt.wantCode == ticketsum.ETHROTTLED {
				wantCalls = tt.calls - 1
			}
			if m.calls() != wantCalls {
				t.Errorf("model called %d times, want %d", m.calls(), wantCalls)
			}
		})
	}
}

func TestMiddlewareSettlesRealCost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := MustService(t)
	if err := svc.ApproveModel(ctx, "admin", haiku, ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: 1}); err != nil {
		t.Fatal(err)
	}
	m := access.Middleware(svc, fixedEstimate(0.5))(&fakeModel{name: haiku, cost: 0.0123})
	for range 3 {
		if _, err := m.Generate(ctx, &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "team-a"}}); err != nil {
			t.Fatal(err)
		}
	}
	spent, reserved, err := svc.Spend(ctx, "team-a")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%.6f", spent) != "0.036900" || reserved != 0 {
		t.Errorf("spent %.6f reserved %.6f, want 0.036900 and 0", spent, reserved)
	}
}

// runConcurrentBudget fires 100 concurrent calls, each estimated at $0.05
// and really costing $0.03-0.05, against a $1 budget.
func runConcurrentBudget(t *testing.T, db *sql.DB, d access.Dialect) {
	ctx := context.Background()
	svc, err := access.NewService(access.Config{Store: MustStore(t, db, d), Clock: newClock()})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.ApproveModel(ctx, "admin", haiku, ""); err != nil {
		t.Fatal(err)
	}
	const budget, estimate = 1.0, 0.05
	if err := svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"*"}, MonthlyBudgetUSD: budget}); err != nil {
		t.Fatal(err)
	}
	wrap := access.Middleware(svc, fixedEstimate(estimate))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, denied int
	var charged float64
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cost := 0.03 + float64(i%3)*0.01
			_, err := wrap(&fakeModel{name: haiku, cost: cost}).Generate(ctx, &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "team-a"}})
			mu.Lock()
			defer mu.Unlock()
			switch ticketsum.ErrorCodeOf(err) {
			case "":
				ok++
				charged += cost
			case ticketsum.EQUOTA:
				denied++
			default:
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	spent, reserved, err := svc.Spend(ctx, "team-a")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d calls passed, %d denied, spent $%.4f of $%.2f", d, ok, denied, spent, budget)
	if spent > budget+estimate {
		t.Errorf("spent $%.4f, more than budget $%.2f plus one call", spent, budget)
	}
	if reserved != 0 {
		t.Errorf("reserved $%.6f left after every call settled", reserved)
	}
	if fmt.Sprintf("%.6f", spent) != fmt.Sprintf("%.6f", charged) {
		t.Errorf("spent $%.6f, but the calls that passed cost $%.6f", spent, charged)
	}
	if denied == 0 || ok < int(budget/estimate) {
		t.Errorf("%d passed and %d denied: want at least %d to pass and some to be denied", ok, denied, int(budget/estimate))
	}
}

func TestConcurrentBudgetSQLite(t *testing.T) {
	t.Parallel()
	db, _ := dbtest.SQLiteFile(t)
	runConcurrentBudget(t, db, access.SQLite)
}

func TestConcurrentBudgetPostgres(t *testing.T) {
	t.Parallel()
	runConcurrentBudget(t, dbtest.Postgres(t), access.Postgres)
}

func TestPostgresStoreMatrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, err := access.NewService(access.Config{Store: MustStore(t, dbtest.Postgres(t), access.Postgres), Clock: newClock()})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"bedrock:*"}, MonthlyBudgetUSD: 2, UseCases: []string{"summarize"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a"}); ticketsum.ErrorCodeOf(err) != ticketsum.ECONFLICT {
		t.Errorf("duplicate principal: %v, want conflict", err)
	}
	raw, k, err := svc.CreateKey(ctx, "admin", "team-a", -1)
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, raw)
	if err != nil || p.Name != "team-a" || p.UseCases[0] != "summarize" || p.MonthlyBudgetUSD != 2 {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	if err := svc.Authorize(ctx, p, haiku); ticketsum.ErrorCodeOf(err) != ticketsum.EFORBIDDEN {
		t.Errorf("unapproved model: %v, want forbidden", err)
	}
	if err := svc.ApproveModel(ctx, "admin", haiku, ""); err != nil {
		t.Fatal(err)
	}
	if err := svc.Authorize(ctx, p, haiku); err != nil {
		t.Errorf("approved model: %v", err)
	}
	if err := svc.RevokeKey(ctx, "admin", k.Prefix); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, raw); ticketsum.ErrorCodeOf(err) != ticketsum.EUNAUTHORIZED {
		t.Errorf("revoked key: %v, want unauthorized", err)
	}
	keys, err := svc.ListKeys(ctx, "team-a")
	if err != nil || len(keys) != 1 || keys[0].RevokedAt.IsZero() {
		t.Errorf("ListKeys = %+v, %v", keys, err)
	}
}

func TestAuthorizeMiddlewareChecksEveryModel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _, _ := MustService(t)
	svc.ApproveModel(ctx, "admin", haiku, "")
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "team-a", Models: []string{"bedrock:anthropic.claude-*", "bedrock:amazon.*"}})
	wrap := access.AuthorizeMiddleware(svc)
	req := &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "team-a"}}
	tests := []struct {
		model string
		want  ticketsum.ErrorCode
	}{
		{haiku, ""},
		{"bedrock:amazon.nova-lite-v1:0", ticketsum.EFORBIDDEN}, // allowed but not approved: a fallback is stopped
		{"openai:gpt-4o", ticketsum.EFORBIDDEN},
	}
	for _, tt := range tests {
		m := &fakeModel{name: tt.model}
		_, err := wrap(m).Generate(ctx, req)
		if got := ticketsum.ErrorCodeOf(err); got != tt.want {
			t.Errorf("%s: %v, want %q", tt.model, err, tt.want)
		}
		if (m.calls() == 1) != (tt.want == "") {
			t.Errorf("%s: model called %d times", tt.model, m.calls())
		}
	}
	spent, _, _ := svc.Spend(ctx, "team-a")
	if spent != 0 {
		t.Errorf("authorize-only wrapper spent $%v", spent)
	}
}
