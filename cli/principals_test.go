package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
)

// principalRow is one principal of `principals list --json`.
type principalRow struct {
	Name              string   `json:"name"`
	Models            []string `json:"models"`
	MonthlyBudgetUSD  float64  `json:"monthly_budget_usd"`
	RequestsPerMinute int      `json:"requests_per_minute"`
}

// mustPrincipals returns the principals `principals list --json` shows.
func mustPrincipals(t *testing.T, cfg string) map[string]principalRow {
	t.Helper()
	r := run(t, context.Background(), "", "principals", "list", "--json", "--config", cfg)
	var rows []principalRow
	if r.code != exitOK || json.Unmarshal([]byte(r.stdout), &rows) != nil {
		t.Fatalf("principals list --json: %+v", r)
	}
	out := map[string]principalRow{}
	for _, p := range rows {
		out[p.Name] = p
	}
	return out
}

// actAs opens a wiring on the config file and reconciles role's principal,
// as a command starting to call models as that role does.
func actAs(t *testing.T, cfgPath string, role access.Role) string {
	t.Helper()
	l, err := readConfig(cfgPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	l.cfg.resolve()
	if err := l.cfg.check(); err != nil {
		t.Fatal(err)
	}
	e := &env{stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &syncBuffer{}, getenv: func(string) string { return "" }}
	w, err := newWiring(context.Background(), e, l.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	name, err := w.principalFor(context.Background(), role)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// TestServicePrincipalsFollowTheConfig checks that the worker's, eval's
// and judge's principals are what the config says at every start, not
// what the first model called made them.
func TestServicePrincipalsFollowTheConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ticketsum.yaml")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(cfg, []byte("data_dir: "+dir+"\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const nova, haiku = "bedrock:amazon.nova-lite-v1:0", "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"
	write("model: " + nova + "\n")
	if got := actAs(t, cfg, access.RoleWorker); got != access.PrincipalWorker {
		t.Fatalf("worker acts as %q", got)
	}
	if p := mustPrincipals(t, cfg)[access.PrincipalWorker]; !slices.Equal(p.Models, []string{nova}) || p.MonthlyBudgetUSD != 100 {
		t.Fatalf("first start: worker principal %+v", p)
	}
	// Another default model and a budget: the next start follows.
	write("model: " + haiku + "\nmodels:\n  " + haiku + ":\n    fallback: [" + nova + "]\nprincipals:\n  worker:\n    monthly_budget_usd: 7\n")
	actAs(t, cfg, access.RoleWorker)
	if p := mustPrincipals(t, cfg)[access.PrincipalWorker]; !slices.Equal(p.Models, []string{haiku, nova}) || p.MonthlyBudgetUSD != 7 {
		t.Fatalf("after a config change: worker principal %+v, want [haiku nova] and $7", p)
	}
	// Eval and judge act as principals of their own, with budgets apart.
	write("principals:\n  eval:\n    monthly_budget_usd: 3\n  judge:\n    name: pm-judge\n    models: [" + haiku + "]\n")
	if got := actAs(t, cfg, access.RoleEval); got != access.PrincipalEval {
		t.Fatalf("eval acts as %q", got)
	}
	if got := actAs(t, cfg, access.RoleJudge); got != "pm-judge" {
		t.Fatalf("judge acts as %q", got)
	}
	ps := mustPrincipals(t, cfg)
	if p := ps[access.PrincipalEval]; !slices.Equal(p.Models, []string{access.AnyModel}) || p.MonthlyBudgetUSD != 3 {
		t.Errorf("eval principal %+v", p)
	}
	if p := ps["pm-judge"]; !slices.Equal(p.Models, []string{haiku}) || p.MonthlyBudgetUSD != defaultJudgeBudgetUSD {
		t.Errorf("judge principal %+v", p)
	}
	// A service principal is changed in the config, not with principals put.
	r := run(t, context.Background(), "", "principals", "put", "pm-judge", "--rpm", "5", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, "principal pm-judge is declared in the config at principals.judge") {
		t.Errorf("principals put on a service principal: %+v", r)
	}
	// The Lambda function's principal is changed in its environment.
	r = run(t, context.Background(), "", "principals", "put", access.PrincipalLambda, "--budget", "500", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, "principal ticketsum-lambda is declared by the environment of the ticketsum-lambda function, which is applied at every cold start: change TICKETSUM_PRINCIPAL_MODELS, TICKETSUM_MONTHLY_BUDGET_USD, TICKETSUM_PRINCIPAL_RPM there instead") {
		t.Errorf("principals put on the Lambda's principal: %+v", r)
	}
}

// TestServicePrincipalConfigChecked checks the principals: section is
// validated like every other key.
func TestServicePrincipalConfigChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, want string }{
		{"principals:\n  eval:\n    name: ticketsum-worker\n", "principals.eval.name: ticketsum-worker is already the name of principals.worker"},
		{"principals:\n  judge:\n    monthly_budget_usd: -1\n", "principals.judge.monthly_budget_usd: must be a non-negative number"},
		{"principals:\n  worker:\n    name: Bad Name\n", `principals.worker: principal name "Bad Name" is invalid`},
		{"principals:\n  worker:\n    requests_per_minute: -2\n", "principals.worker.requests_per_minute: must not be negative"},
	} {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "ticketsum.yaml")
		if err := os.WriteFile(cfg, []byte("data_dir: "+dir+"\n"+tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		r := run(t, context.Background(), "", "principals", "list", "--config", cfg)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: %+v, want exit 2 with %q", tc.body, r, tc.want)
		}
	}
}

// TestPrincipalsPutPatches checks that put changes only the flags given,
// and that a new principal needs a budget.
func TestPrincipalsPutPatches(t *testing.T) {
	t.Parallel()
	cfg := tempConfig(t)
	r := run(t, context.Background(), "", "principals", "put", "support-bot", "--models", "bedrock:anthropic.claude-*", "--config", cfg)
	if r.code != exitUsage || !strings.Contains(r.stderr, "a new principal needs a budget: pass --budget USD") {
		t.Fatalf("put without --budget: %+v", r)
	}
	if r := run(t, context.Background(), "", "principals", "put", "support-bot", "--models", "bedrock:anthropic.claude-*", "--budget", "50", "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "principal support-bot created") {
		t.Fatalf("create: %+v", r)
	}
	if r := run(t, context.Background(), "", "principals", "put", "support-bot", "--rpm", "10", "--config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "principal support-bot updated") {
		t.Fatalf("--rpm: %+v", r)
	}
	p := mustPrincipals(t, cfg)["support-bot"]
	if !slices.Equal(p.Models, []string{"bedrock:anthropic.claude-*"}) || p.MonthlyBudgetUSD != 50 || p.RequestsPerMinute != 10 {
		t.Errorf("after --rpm 10: %+v, want the allow-list and budget kept", p)
	}
}

// TestActingModelNamesThePrincipal checks that modelFor's calls carry the
// role's principal unless the request names one.
func TestActingModelNamesThePrincipal(t *testing.T) {
	t.Parallel()
	rec := &recordingModel{}
	m := &actingModel{next: rec, principal: access.PrincipalJudge, useCase: "judge"}
	m.Generate(context.Background(), &ticketsum.ModelRequest{})
	m.Generate(context.Background(), &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "team-a"}})
	if got := rec.principals; !slices.Equal(got, []string{access.PrincipalJudge + "/judge", "team-a/"}) {
		t.Errorf("principals = %v", got)
	}
}

// recordingModel records the principal and use case of each call.
type recordingModel struct{ principals []string }

func (r *recordingModel) Name() string { return "bedrock:x" }
func (r *recordingModel) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	r.principals = append(r.principals, req.Meta.Principal+"/"+req.Meta.UseCase)
	return &ticketsum.ModelResponse{}, nil
}
