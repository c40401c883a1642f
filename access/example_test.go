package access_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
)

// echoModel stands in for a provider.
type echoModel struct{}

func (echoModel) Name() string { return "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0" }
func (echoModel) Generate(context.Context, *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return &ticketsum.ModelResponse{Text: "summary", CostUSD: 0.0016}, nil
}

// The main flow: open the store, approve a model, create a principal and a
// key, authenticate the key, and call a model through the middleware.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "access-example")
	defer os.RemoveAll(dir)
	db, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, "ticketsum.db")+"?_pragma=busy_timeout(5000)")
	defer db.Close()
	store, _ := access.NewSQLStore(db, access.SQLite)
	if err := store.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	svc, _ := access.NewService(access.Config{Store: store})

	model := echoModel{}.Name()
	svc.ApproveModel(ctx, "admin", model, "chosen by eval run 3")
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "support-tools", Models: []string{"bedrock:anthropic.claude-*"}, MonthlyBudgetUSD: 50})
	rawKey, _, _ := svc.CreateKey(ctx, "admin", "support-tools", 0)

	p, err := svc.Authenticate(ctx, rawKey) // the HTTP layer does this
	if err != nil {
		fmt.Println(err)
		return
	}
	estimate := func(string, *ticketsum.ModelRequest) (float64, error) { return 0.01, nil }
	m := access.Middleware(svc, estimate)(echoModel{})
	resp, err := m.Generate(ctx, &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: p.Name}})
	if err != nil {
		fmt.Println(err)
		return
	}
	spent, _, _ := svc.Spend(ctx, p.Name)
	fmt.Printf("%s got %q; spent $%.4f this month\n", p.Name, resp.Text, spent)

	_, err = m.Generate(ctx, &ticketsum.ModelRequest{Meta: ticketsum.CallMeta{Principal: "someone-else"}})
	fmt.Println(ticketsum.ErrorCodeOf(err), ticketsum.ErrorMessage(err))
	// Output:
	// support-tools got "summary"; spent $0.0016 this month
	// unauthorized unknown principal someone-else: create it with `ticketsum principals put someone-else --models MODEL --budget USD`
}
