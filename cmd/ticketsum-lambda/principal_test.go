package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// MustStart starts the function on the schema with env (plus the
// database, the schema and the model), against srv.
func MustStart(tb testing.TB, url, schema string, srv *bedrocktest.Server, env map[string]string, logs *syncBuffer) *function {
	tb.Helper()
	f, err := start(tb, url, schema, srv, env, logs)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(f.Close)
	return f
}

// MustStartResolved starts the function with env on a fresh schema with
// the model approved, against a fake Bedrock that answers every ticket
// with resolvedResponder, and returns it with its log.
func MustStartResolved(tb testing.TB, env map[string]string) (*function, *syncBuffer) {
	tb.Helper()
	url, schema := MustSchema(tb)
	MustApprove(tb, url, schema, testModel)
	srv := bedrocktest.MustNewServer(tb, bedrocktest.Config{Responder: resolvedResponder})
	logs := &syncBuffer{}
	return MustStart(tb, url, schema, srv, env, logs), logs
}

func start(tb testing.TB, url, schema string, srv *bedrocktest.Server, env map[string]string, logs *syncBuffer) (*function, error) {
	tb.Helper()
	all := map[string]string{"TICKETSUM_DB": url, "TICKETSUM_DB_SCHEMA": schema, "TICKETSUM_MODEL": testModel}
	for k, v := range env {
		all[k] = v
	}
	s, err := loadSettings(envMap(all))
	if err != nil {
		tb.Fatal(err)
	}
	return newFunction(tb.Context(), s, deps{Log: logs, LoadAWS: func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil }})
}

func resolvedResponder(model, prompt string) string {
	return "The customer reported that a data export stopped. The agent ran it again and it completed.\nSTATUS: resolved"
}

// The function's principal follows its environment at every cold start,
// as the CLI's principals.worker follows the config: a redeploy with a new
// budget, limit or allow-list changes the stored principal, and the change
// is in the audit trail as principal.reconcile.
func TestPrincipalFollowsTheEnvironment(t *testing.T) {
	t.Parallel()
	url, schema := MustSchema(t)
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: resolvedResponder})
	MustApprove(t, url, schema, testModel)
	var logs syncBuffer
	first := MustStart(t, url, schema, srv, nil, &logs)
	p, err := first.gov.Access.Store().FindPrincipal(t.Context(), principal)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Models, []string{testModel}) || p.MonthlyBudgetUSD != 100 || p.RequestsPerMinute != 0 {
		t.Fatalf("first cold start created %+v, want the model, $100 and no limit", p)
	}
	first.Close()

	next := MustStart(t, url, schema, srv, map[string]string{"TICKETSUM_MONTHLY_BUDGET_USD": "40", "TICKETSUM_PRINCIPAL_RPM": "30",
		"TICKETSUM_PRINCIPAL_MODELS": "bedrock:anthropic.claude-*"}, &logs)
	p, err = next.gov.Access.Store().FindPrincipal(t.Context(), principal)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Models, []string{"bedrock:anthropic.claude-*"}) || p.MonthlyBudgetUSD != 40 || p.RequestsPerMinute != 30 {
		t.Errorf("after the redeploy the principal is %+v, want the environment's allow-list, $40 and 30 rpm", p)
	}
	evs, err := next.gov.Trail.Events(t.Context(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range evs {
		if e.Target == principal {
			actions = append(actions, e.Action+" by "+e.Actor)
			if e.Action == "principal.reconcile" && (e.Details["monthly_budget_usd"] != "40.00" || !strings.Contains(e.Details["config_key"], "environment")) {
				t.Errorf("reconcile event details = %v", e.Details)
			}
		}
	}
	if want := []string{"principal.create by environment", "principal.reconcile by environment"}; !slices.Equal(actions, want) {
		t.Errorf("audit trail for %s: %v, want %v", principal, actions, want)
	}
	// `ticketsum principals put` would be undone at the next cold start:
	// refused, naming the variables.
	rpm := 5
	_, _, err = next.gov.Access.PatchPrincipal(t.Context(), "alice", principal, access.PrincipalPatch{RequestsPerMinute: &rpm})
	if !strings.Contains(ticketsum.ErrorMessage(err), "change TICKETSUM_PRINCIPAL_MODELS, TICKETSUM_MONTHLY_BUDGET_USD, TICKETSUM_PRINCIPAL_RPM there instead") {
		t.Errorf("principals put on the function's principal: %v", err)
	}
}

// Every access denial the function meets names the rule and the
// environment variable (and CloudFormation parameter) that fixes it,
// never a config file the function does not have.
func TestDenialsNameTheEnvironment(t *testing.T) {
	t.Parallel()
	const envFix = "applied at every cold start"

	t.Run("model not in allow-list fails the start", func(t *testing.T) {
		t.Parallel()
		url, schema := MustSchema(t)
		MustApprove(t, url, schema, testModel)
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: resolvedResponder})
		var logs syncBuffer
		_, err := start(t, url, schema, srv, map[string]string{"TICKETSUM_PRINCIPAL_MODELS": "bedrock:amazon.nova-*"}, &logs)
		want := "the model TICKETSUM_MODEL=" + testModel + " cannot be called: principal ticketsum-lambda may not call model " + testModel +
			": it is not in allow-list [bedrock:amazon.nova-*] (rule: principal allow-list); to add it, set TICKETSUM_PRINCIPAL_MODELS=bedrock:amazon.nova-*," + testModel +
			" in the environment of the ticketsum-lambda function (CloudFormation parameter PrincipalModels), " + envFix
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("start = %v\nwant %q", err, want)
		}
	})

	t.Run("spent budget records the ticket failed with the fix", func(t *testing.T) {
		t.Parallel()
		url, schema := MustSchema(t)
		MustApprove(t, url, schema, testModel)
		srv := bedrocktest.MustNewServer(t, bedrocktest.Config{Responder: resolvedResponder})
		var logs syncBuffer
		f := MustStart(t, url, schema, srv, map[string]string{"TICKETSUM_MONTHLY_BUDGET_USD": "0"}, &logs)
		if _, err := f.store.UpsertTicket(t.Context(), piiTicket("T-1")); err != nil {
			t.Fatal(err)
		}
		resp, err := f.Handle(t.Context(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: "T-1"}}})
		if err != nil || !slices.Equal(failedIDs(resp), []string{"m1"}) {
			t.Fatalf("Handle = %v, %v; want m1 failed", failedIDs(resp), err)
		}
		fail, err := f.store.FindFailure(t.Context(), "T-1")
		if err != nil {
			t.Fatalf("no failed state: %v", err)
		}
		want := "(rule: principal monthly budget; this call may cost up to $"
		fix := "to raise it, set TICKETSUM_MONTHLY_BUDGET_USD=1.00 in the environment of the ticketsum-lambda function (CloudFormation parameter MonthlyBudgetUSD), " + envFix
		if fail.Code != ticketsum.EQUOTA || !strings.Contains(fail.Reason, want) || !strings.Contains(fail.Reason, fix) {
			t.Errorf("failure = %+v\nwant a quota failure containing %q and %q", fail, want, fix)
		}
		if !strings.Contains(logs.String(), "TICKETSUM_MONTHLY_BUDGET_USD=1.00") {
			t.Errorf("the log does not name the fix:\n%s", logs.String())
		}
		if st := srv.Stats(); st.Succeeded+st.Throttled != 0 {
			t.Errorf("the model was called %+v on a spent budget", st)
		}
	})

	t.Run("rate limit names the variable", func(t *testing.T) {
		t.Parallel()
		f, logs := MustStartResolved(t, map[string]string{"TICKETSUM_PRINCIPAL_RPM": "1", "TICKETSUM_BATCH_CONCURRENCY": "1", "TICKETSUM_MAX_ATTEMPTS": "1"})
		for _, id := range []string{"T-1", "T-2"} {
			if _, err := f.store.UpsertTicket(t.Context(), piiTicket(id)); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := f.Handle(t.Context(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: "T-1"}, {MessageId: "m2", Body: "T-2"}}})
		if err != nil || !slices.Equal(failedIDs(resp), []string{"m2"}) {
			t.Fatalf("Handle = %v, %v; want m2 over the limit", failedIDs(resp), err)
		}
		want := "(rule: principal rpm; retry in"
		fix := "to raise it, set TICKETSUM_PRINCIPAL_RPM=2 in the environment of the ticketsum-lambda function (CloudFormation parameter PrincipalRPM), " + envFix
		if out := logs.String(); !strings.Contains(out, want) || !strings.Contains(out, fix) {
			t.Errorf("the log does not show the rule and the fix %q:\n%s", fix, out)
		}
	})
}
