package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/internal/app"
)

// priced is a provider whose every answer costs cost USD.
type priced struct {
	name string
	cost float64
}

func (p priced) Name() string { return p.name }

func (p priced) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return &ticketsum.ModelResponse{Text: "ok", Model: p.name, CostUSD: p.cost, Usage: ticketsum.Usage{InputTokens: 100, OutputTokens: 10}}, nil
}

// mustGovernance returns the governance of a fresh SQLite database, and
// the database, with principal svc allowed model on a $10 budget.
func mustGovernance(t *testing.T, model string) (*app.Governance, *sql.DB) {
	t.Helper()
	return mustGovernanceLog(t, model, nil)
}

// mustGovernanceLog is mustGovernance with log as the invocation log.
func mustGovernanceLog(t *testing.T, model string, log audit.Sink) (*app.Governance, *sql.DB) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "gov.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	g, err := guard.New(guard.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	gov, err := app.NewGovernance(t.Context(), app.GovernanceConfig{DB: db, Dialect: access.SQLite, Guard: g, SigningKey: key, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := gov.Access.CreatePrincipal(t.Context(), "admin", &access.Principal{Name: "svc", Models: []string{model}, MonthlyBudgetUSD: 10}); err != nil {
		t.Fatal(err)
	}
	return gov, db
}

// governed wraps m in gov's wrappers, the outer ones outermost.
func governed(gov *app.Governance, m ticketsum.Model) ticketsum.Model {
	for i := len(gov.Inner) - 1; i >= 0; i-- {
		m = gov.Inner[i](m)
	}
	for i := len(gov.Outer) - 1; i >= 0; i-- {
		m = gov.Outer[i](m)
	}
	return m
}

// summariseRequest is svc's call for ticket T-1.
func summariseRequest() *ticketsum.ModelRequest {
	return &ticketsum.ModelRequest{Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Summarise: the export froze."}},
		Meta: ticketsum.CallMeta{Principal: "svc", UseCase: "summarize", TicketID: "T-1"}}
}

// A call through the governance wrappers is refused until the model is
// approved, then recorded in the trail under the principal.
func TestGovernance(t *testing.T) {
	t.Parallel()
	const model = "bedrock:amazon.nova-lite-v1:0"
	gov, _ := mustGovernance(t, model)
	if len(gov.Outer) != 3 || len(gov.Inner) != 2 {
		t.Fatalf("outer %d, inner %d wrappers; want 3 and 2 (authorisation, meter) without an invocation log", len(gov.Outer), len(gov.Inner))
	}
	m := governed(gov, priced{name: model})
	if _, err := m.Generate(t.Context(), summariseRequest()); ticketsum.ErrorCodeOf(err) != ticketsum.EFORBIDDEN {
		t.Fatalf("unapproved model: %v, want forbidden", err)
	}
	if err := gov.Access.ApproveModel(t.Context(), "admin", model, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Generate(t.Context(), summariseRequest()); err != nil {
		t.Fatalf("approved model: %v", err)
	}
	evs, err := gov.Trail.Events(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, e := range evs {
		if e.Kind == audit.KindInvocation && e.Actor == "svc" && e.TicketID == "T-1" {
			outcomes[e.Outcome]++
		}
	}
	if outcomes["denied"] != 1 || outcomes["success"] != 1 {
		t.Errorf("trail invocations by outcome = %v, want one denied and one success", outcomes)
	}
}

func TestGovernanceRejects(t *testing.T) {
	t.Parallel()
	g, _ := guard.New(guard.Config{})
	for _, cfg := range []app.GovernanceConfig{{Guard: g}, {DB: &sql.DB{}}} {
		if _, err := app.NewGovernance(t.Context(), cfg); ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("NewGovernance(%+v) = %v, want invalid", cfg, err)
		}
	}
}

// A paid call's charge commits with its trail record: when the call
// returns (its record committed), its cost is in the budget's spent,
// without a flush.
func TestPaidCallChargedWithItsRecord(t *testing.T) {
	t.Parallel()
	const model = "bedrock:amazon.nova-lite-v1:0"
	gov, db := mustGovernance(t, model)
	if err := gov.Access.ApproveModel(t.Context(), "admin", model, "test"); err != nil {
		t.Fatal(err)
	}
	m := governed(gov, priced{name: model, cost: 0.0123})
	for i := range 3 {
		if _, err := m.Generate(t.Context(), summariseRequest()); err != nil {
			t.Fatal(err)
		}
		recorded, spent := recordedAndSpent(t, db)
		if want := int64(i+1) * 12_300; recorded != want || spent != want {
			t.Errorf("after call %d: recorded %d, spent %d micro-dollars; want both %d", i+1, recorded, spent, want)
		}
	}
}

// fullLog is an invocation log on a full disk, without a spool.
type fullLog struct{}

func (fullLog) Write(context.Context, *audit.InvocationRecord) error {
	return errors.New("write invocations.log: no space left on device")
}
func (fullLog) Flush(context.Context) error { return nil }
func (fullLog) Close(context.Context) error { return nil }

// A paid answer that the invocation log could not record is withheld from
// the caller but charged to the budget, as the trail records its cost: it
// was paid. It was recorded with its cost and not charged.
func TestWithheldPaidAnswerIsCharged(t *testing.T) {
	t.Parallel()
	const model = "bedrock:amazon.nova-lite-v1:0"
	gov, db := mustGovernanceLog(t, model, fullLog{})
	if err := gov.Access.ApproveModel(t.Context(), "admin", model, "test"); err != nil {
		t.Fatal(err)
	}
	m := governed(gov, priced{name: model, cost: 0.0123})
	if _, err := m.Generate(t.Context(), summariseRequest()); !errors.Is(err, audit.ErrNotRecorded) {
		t.Fatalf("call with the invocation log full = %v, want audit.ErrNotRecorded", err)
	}
	if err := gov.Access.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if recorded, spent := recordedAndSpent(t, db); recorded != 12_300 || spent != 12_300 {
		t.Errorf("recorded %d, spent %d micro-dollars; want both 12300", recorded, spent)
	}
}

// recordedAndSpent returns the cost of svc's calls in the trail and its
// budget's spent, in micro-dollars.
func recordedAndSpent(t *testing.T, db *sql.DB) (recorded, spent int64) {
	t.Helper()
	if err := db.QueryRow(`SELECT COALESCE(SUM(cost_micros), 0) FROM audit_records WHERE kind = ?`, audit.KindInvocation).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT spent_micros FROM access_budgets WHERE principal = 'svc'`).Scan(&spent); err != nil {
		t.Fatal(err)
	}
	return recorded, spent
}
