package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrocktest"
	"github.com/ticketsum/ticketsum/internal/app"
)

func ticket() *ticketsum.Ticket {
	return &ticketsum.Ticket{ID: "T-1", Messages: []ticketsum.Message{
		{Role: ticketsum.RoleCustomer, Body: "The invoice PDF download returns an error page."},
		{Role: ticketsum.RoleAgent, Body: "I regenerated the invoice and the download works now."},
	}}
}

// A Bedrock model throttled for good falls back to its configured fallback
// through the one gateway, and the answer is a checked summary.
func TestBedrockWithFallback(t *testing.T) {
	t.Parallel()
	const primary, fallback = "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock:amazon.nova-lite-v1:0"
	srv := bedrocktest.MustNewServer(t, bedrocktest.Config{
		Responder: func(model, prompt string) string {
			return "The customer could not download an invoice. The agent regenerated it and the download works.\nSTATUS: resolved"
		},
		Faults: []bedrocktest.Fault{{Kind: bedrocktest.FaultThrottle, Model: "anthropic.claude-3-5-haiku-20241022-v1:0"}},
	})
	m, err := app.New(app.Config{
		Models:      map[string]app.ModelConfig{primary: {Fallback: []string{fallback}}},
		LoadAWS:     func(context.Context) (aws.Config, error) { return srv.AWSConfig(), nil },
		MaxAttempts: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Pipeline(t.Context(), primary, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Summarize(t.Context(), ticket())
	if err != nil {
		t.Fatal(err)
	}
	if s.Model != fallback || s.Status != ticketsum.StatusResolved || s.CostUSD <= 0 {
		t.Fatalf("summary = %+v, want one from %s", s, fallback)
	}
	if st := srv.Stats(); st.Throttled != 1 || st.Succeeded != 1 {
		t.Fatalf("fake Bedrock stats: throttled %d, succeeded %d; want 1 and 1", st.Throttled, st.Succeeded)
	}
	// The gateway is built once per model.
	g1, _ := m.Gateway(t.Context(), primary)
	g2, _ := m.Gateway(t.Context(), primary)
	if g1 != g2 {
		t.Error("Gateway built twice for one model")
	}
}

func TestBuiltin(t *testing.T) {
	t.Parallel()
	m, err := app.New(app.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Pipeline(t.Context(), app.Builtin, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := p.Summarize(t.Context(), ticket()); err != nil || s.Text == "" {
		t.Fatalf("builtin: %+v, %v", s, err)
	}
}

func TestRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   app.Config
		model string
	}{
		{"unknown model", app.Config{}, "claude"},
		{"unknown provider", app.Config{}, "vertex:gemini"},
		{"openai without url", app.Config{}, "openai:gpt-4o-mini"},
		{"bad api", app.Config{Models: map[string]app.ModelConfig{"bedrock:x": {API: "chat"}}}, app.Builtin},
		{"negative rpm", app.Config{Models: map[string]app.ModelConfig{"bedrock:x": {RPM: -1}}}, app.Builtin},
		{"negative attempts", app.Config{MaxAttempts: -1}, app.Builtin},
	}
	for _, tt := range tests {
		m, err := app.New(tt.cfg)
		if err == nil {
			_, err = m.Summarizer(t.Context(), tt.model, "")
		}
		if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
			t.Errorf("%s: err = %v, want invalid", tt.name, err)
		}
	}
}

// TestUnknownModelBuiltin checks that asking for the built-in summariser
// where only a provider model can answer (a chat completion) says why,
// instead of listing "builtin" among the names it wants.
func TestUnknownModelBuiltin(t *testing.T) {
	t.Parallel()
	err := app.UnknownModel(app.Builtin)
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
		t.Fatalf("code of %v, want invalid", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "built-in summariser") || !strings.Contains(msg, "POST /v1/summaries") || strings.Contains(msg, "want builtin") {
		t.Fatalf("UnknownModel(builtin) = %q", msg)
	}
	if msg := app.UnknownModel("claude").Error(); !strings.Contains(msg, "want builtin, bedrock:") {
		t.Fatalf("UnknownModel(claude) = %q", msg)
	}
}

// TestOpenAIWithoutURLNamesTheSetting checks that an openai: model with no
// base URL is refused naming the config key that fixes it.
func TestOpenAIWithoutURLNamesTheSetting(t *testing.T) {
	t.Parallel()
	m, err := app.New(app.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Summarizer(t.Context(), "openai:gpt-4o-mini", "")
	if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID || !strings.Contains(err.Error(), "set openai.base_url") {
		t.Fatalf("err = %v, want invalid naming openai.base_url", err)
	}
}
