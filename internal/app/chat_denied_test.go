package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/internal/app"
)

// A chat completion for a model the key's principal may not use is refused
// for that, naming the rule and the command that fixes it, even on a
// server that could not build the model (a Bedrock model with no AWS
// region): the caller learns what governance decided, not how the server
// is configured. A principal that may use the model gets the
// configuration error.
func TestChatDeniedBeforeModelBuilt(t *testing.T) {
	t.Parallel()
	const model = "bedrock:amazon.nova-lite-v1:0"
	gov, _ := mustGovernance(t, "openai:*")
	ctx := t.Context()
	if err := gov.Access.ApproveModel(ctx, "admin", model, "test"); err != nil {
		t.Fatal(err)
	}
	models, err := app.New(app.Config{Outer: gov.Outer, Inner: gov.Inner,
		LoadAWS: func(context.Context) (aws.Config, error) {
			return aws.Config{Credentials: aws.AnonymousCredentials{}}, nil
		}}) // no region
	if err != nil {
		t.Fatal(err)
	}
	h, err := api.New(api.Config{Access: gov.Access, Trail: gov.Trail, Models: func(name string) (ticketsum.Model, error) {
		g, err := models.Gateway(ctx, name)
		if err != nil {
			return nil, err
		}
		return g.Model(name)
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	raw, _, err := gov.Access.CreateKey(ctx, "admin", "svc", 0)
	if err != nil {
		t.Fatal(err)
	}
	chat := func() (int, string) {
		t.Helper()
		body := `{"model":"` + model + `","messages":[{"role":"user","content":"hello"}]}`
		req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+raw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var e struct {
			Error struct{ Message, Type string }
		}
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("status %d, body %s: %v", resp.StatusCode, b, err)
		}
		return resp.StatusCode, e.Error.Type + ": " + e.Error.Message
	}

	status, msg := chat()
	if status != http.StatusForbidden || !strings.Contains(msg, "permission_error") || !strings.Contains(msg, "rule: principal allow-list") ||
		!strings.Contains(msg, "ticketsum principals") || strings.Contains(msg, "AWS") {
		t.Errorf("not allowed: %d %q, want 403 naming the allow-list rule and its command, and nothing of AWS", status, msg)
	}
	evs, err := gov.Trail.Events(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	denied := 0
	for _, e := range evs {
		if e.Kind == audit.KindInvocation && e.Actor == "svc" && e.Target == model && e.Outcome == "denied" && e.UseCase == api.UseCaseChat {
			denied++
		}
	}
	if denied != 1 {
		t.Errorf("%d denied chat calls in the trail, want 1", denied)
	}

	if err := gov.Access.UpdatePrincipal(ctx, "admin", &access.Principal{Name: "svc", Models: []string{model}, MonthlyBudgetUSD: 10}); err != nil {
		t.Fatal(err)
	}
	if status, msg := chat(); status != http.StatusBadRequest || !strings.Contains(msg, "no AWS region") {
		t.Errorf("allowed: %d %q, want 400 saying the server has no AWS region", status, msg)
	}
}
