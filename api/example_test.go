package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/api"
)

// shoutModel stands in for a governed gateway model.
type shoutModel struct{}

func (shoutModel) Name() string { return "bedrock:amazon.nova-micro-v1:0" }
func (shoutModel) Generate(_ context.Context, req *ticketsum.ModelRequest) (*ticketsum.ModelResponse, error) {
	return &ticketsum.ModelResponse{Text: strings.ToUpper(req.Messages[0].Content), Usage: ticketsum.Usage{InputTokens: 3, OutputTokens: 2}, CostUSD: 0.0001}, nil
}

// The main flow: an access service with a principal and a key, a Handler
// whose models are governed by access.Middleware, and an OpenAI-style call
// with the key.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "api-example")
	defer os.RemoveAll(dir)
	db, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, "ticketsum.db")+"?_pragma=busy_timeout(5000)")
	defer db.Close()
	store, _ := access.NewSQLStore(db, access.SQLite)
	store.Migrate(ctx)
	svc, _ := access.NewService(access.Config{Store: store})
	svc.ApproveModel(ctx, "admin", shoutModel{}.Name(), "")
	svc.CreatePrincipal(ctx, "admin", &access.Principal{Name: "support-tools", Models: []string{"bedrock:amazon.nova-*"}, MonthlyBudgetUSD: 5})
	key, _, _ := svc.CreateKey(ctx, "admin", "support-tools", 0)

	estimate := func(string, *ticketsum.ModelRequest) (float64, error) { return 0.001, nil }
	governed := access.Middleware(svc, estimate)(shoutModel{}) // in cmd/: gateway.Model
	h, err := api.New(api.Config{
		Access: svc,
		Models: func(name string) (ticketsum.Model, error) {
			if name != governed.Name() {
				return nil, ticketsum.Errorf(ticketsum.ENOTFOUND, "no model %s", name)
			}
			return governed, nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h) // in cmd/: web.Config{Mount: h.Routes()}
	defer srv.Close()

	for _, k := range []string{key, ""} {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions",
			strings.NewReader(`{"model":"bedrock:amazon.nova-micro-v1:0","messages":[{"role":"user","content":"hello"}]}`))
		if k != "" {
			req.Header.Set("Authorization", "Bearer "+k)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.Contains(string(body), `"content":"HELLO"`), strings.Contains(string(body), "no API key"))
	}
	// Output:
	// 200 true false
	// 401 false true
}
