package app_test

import (
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/access"
	"github.com/ticketsum/ticketsum/api"
	"github.com/ticketsum/ticketsum/audit"
	"github.com/ticketsum/ticketsum/guard"
	"github.com/ticketsum/ticketsum/internal/app"
	"github.com/ticketsum/ticketsum/internal/dbtest"
	"github.com/ticketsum/ticketsum/openai/openaitest"
)

// servedModel is the model the served-path benchmark calls.
const servedModel = "openai:bench-model"

// BenchmarkServedChat measures the path a caller pays for: an OpenAI SDK
// client sends POST /v1/chat/completions over loopback HTTP to the API with
// every governance step on (key authentication, approval and allow-list,
// budget reserve and settle, input redaction and output check, audit trail,
// encrypted invocation log, gateway limits), whose openai-go provider calls
// an in-process upstream; "direct" is the same SDK client calling the same
// upstream. The store is SQLite in a temp dir. cpu-us/op is the process's
// CPU (client, server and upstream alike) per request, from getrusage;
// served minus direct is what governance and the API add.
func BenchmarkServedChat(b *testing.B) {
	ctx := context.Background()
	up := openaitest.NewServer(openaitest.Config{Reply: func(openaitest.ChatRequest) string { return "The export works again." }})
	b.Cleanup(up.Close)
	key := mustServed(b, ctx, up.URL)
	params := oai.ChatCompletionNewParams{Model: "bench-model", MaxTokens: oai.Int(64),
		Messages: []oai.ChatCompletionMessageParamUnion{oai.SystemMessage("Be brief."), oai.UserMessage("My export fails with a permissions error since Monday.")}}
	direct := oai.NewClient(option.WithBaseURL(up.URL), option.WithMaxRetries(0))
	b.Run("direct", func(b *testing.B) { runChat(b, direct, params) })
	served := oai.NewClient(option.WithBaseURL(key.url), option.WithAPIKey(key.raw), option.WithMaxRetries(0))
	params.Model = servedModel
	b.Run("served", func(b *testing.B) { runChat(b, served, params) })
}

func runChat(b *testing.B, c oai.Client, p oai.ChatCompletionNewParams) {
	b.ReportAllocs()
	before := cpuTime()
	for b.Loop() {
		if _, err := c.Chat.Completions.New(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-before).Microseconds())/float64(b.N), "cpu-us/op")
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type servedKey struct{ url, raw string }

// mustServed wires governance, the gateway and the API as serve does, on
// SQLite in a temp dir, and returns the API's base URL and a key.
func mustServed(b *testing.B, ctx context.Context, upstream string) servedKey {
	dir := b.TempDir()
	db := dbtest.SQLiteAsServe(b)
	g, err := guard.New(guard.Config{})
	if err != nil {
		b.Fatal(err)
	}
	wrapper, err := audit.NewLocalKeyWrapper(filepath.Join(dir, "log.key"))
	if err != nil {
		b.Fatal(err)
	}
	sink, err := audit.NewFileSink(audit.FileSinkConfig{Dir: filepath.Join(dir, "logs"), Wrapper: wrapper})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sink.Close(context.Background()) })
	_, priv, _ := ed25519.GenerateKey(nil)
	gov, err := app.NewGovernance(ctx, app.GovernanceConfig{DB: db, Dialect: access.SQLite, Guard: g, Log: sink, SigningKey: priv})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { gov.Close(context.Background()) })
	models, err := app.New(app.Config{OpenAIBaseURL: upstream, Outer: gov.Outer, Inner: gov.Inner,
		Models: map[string]app.ModelConfig{servedModel: {MaxConcurrency: 64}}})
	if err != nil {
		b.Fatal(err)
	}
	if err := gov.Access.ApproveModel(ctx, "bench", servedModel, ""); err != nil {
		b.Fatal(err)
	}
	if err := gov.Access.CreatePrincipal(ctx, "bench", &access.Principal{Name: "team-a", Models: []string{"openai:*"}, MonthlyBudgetUSD: 1e6}); err != nil {
		b.Fatal(err)
	}
	raw, _, err := gov.Access.CreateKey(ctx, "bench", "team-a", 0)
	if err != nil {
		b.Fatal(err)
	}
	gw, err := models.Gateway(ctx, servedModel)
	if err != nil {
		b.Fatal(err)
	}
	h, err := api.New(api.Config{Access: gov.Access, Models: func(name string) (ticketsum.Model, error) { return gw.Model(name) }})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return servedKey{url: srv.URL + "/v1", raw: raw}
}
