package app_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/internal/app"
)

// TestDroppedAnswersAreLoggedOnce triages the chaos run's gap (8,123
// answered calls, 8,058 invocation records, client errors "use of closed
// network connection"): the fake Bedrock answers and is charged, then drops
// the connection before the response leaves, on every third call. Through
// the governed gateway with its retries, every attempt that reached the
// model has exactly one invocation record (an answer the client never saw
// is recorded as an error: the client cannot know it was charged), every
// logical call one trail event, and the model is never called again
// because of the log.
func TestDroppedAnswersAreLoggedOnce(t *testing.T) {
	t.Parallel()
	const model = "bedrock:amazon.nova-lite-v1:0"
	ctx := t.Context()
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(string, string) string { return "The export froze; the agent cleared the cache.\nSTATUS: resolved" },
		Faults:    []bedrocktest.Fault{{Kind: bedrocktest.FaultDropAfterAnswer, Every: 3}},
	})
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "gov.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	keys, _ := audit.NewLocalKeyWrapper(filepath.Join(dir, "keys", "log.key"))
	sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: filepath.Join(dir, "logs"), Wrapper: keys})
	if err != nil {
		t.Fatal(err)
	}
	spool, err := audit.NewSpool(audit.SpoolConfig{Dir: filepath.Join(dir, "spool"), Wrapper: keys})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := guard.New(guard.Config{})
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	gov, err := app.NewGovernance(ctx, app.GovernanceConfig{DB: db, Dialect: access.SQLite, Guard: g, Log: sink, Spool: spool, SigningKey: key})
	if err != nil {
		t.Fatal(err)
	}
	gov.Access.ApproveModel(ctx, "admin", model, "test")
	if err := gov.Access.CreatePrincipal(ctx, "admin", &access.Principal{Name: "svc", Models: []string{model}, MonthlyBudgetUSD: 10}); err != nil {
		t.Fatal(err)
	}
	models, err := app.New(app.Config{Outer: gov.Outer, Inner: gov.Inner, MaxAttempts: 3,
		LoadAWS: func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	gw, err := models.Gateway(ctx, model)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := gw.Model(model)
	const calls = 20
	for i := range calls {
		req := &ticketsum.ModelRequest{Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Summarise: the export froze."}},
			Meta: ticketsum.CallMeta{Principal: "svc", UseCase: "summarize", TicketID: fmt.Sprint("T-", i), RequestID: fmt.Sprint("r-", i)}}
		if _, err := m.Generate(ctx, req); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if err := gov.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	r, _ := audit.NewReader(audit.DirSource{Dir: filepath.Join(dir, "logs")}, keys)
	byOutcome := map[string]int{}
	r.Read(ctx, audit.Filter{}, func(rec *audit.InvocationRecord) error { byOutcome[rec.Outcome]++; return nil })
	t.Logf("server: %d answered (charged), %d of them dropped; log: %v; spool: %+v", st.Succeeded, st.Dropped, byOutcome, spool.Stats())
	if st.Dropped == 0 {
		t.Fatal("no answer was dropped, so the test proves nothing")
	}
	if byOutcome["success"] != st.Succeeded-st.Dropped || byOutcome["success"] != calls || byOutcome["error"] != st.Dropped {
		t.Errorf("log %v; want %d successes (answers received) and %d errors (answers dropped)", byOutcome, st.Succeeded-st.Dropped, st.Dropped)
	}
	evs, _ := gov.Trail.Events(ctx, 0, 0)
	var invocations int
	for _, e := range evs {
		if e.Kind == audit.KindInvocation {
			invocations++
		}
	}
	if invocations != calls || spool.Stats().Spooled != 0 {
		t.Errorf("trail holds %d invocation events, spool %+v; want %d and nothing spooled", invocations, spool.Stats(), calls)
	}
}
