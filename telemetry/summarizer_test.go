package telemetry_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// keyedFake names its model and prompt version, as an LLM summarizer does.
type keyedFake struct{}

func (keyedFake) Summarize(context.Context, *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return &ticketsum.Summary{Text: "The customer asked; the agent answered.", Model: "m"}, nil
}
func (keyedFake) ModelName() string     { return "bedrock:amazon.nova-micro-v1:0" }
func (keyedFake) PromptVersion() string { return "v3" }

// plainFake does not name them (the built-in summariser).
type plainFake struct{}

func (plainFake) Summarize(ctx context.Context, t *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return keyedFake{}.Summarize(ctx, t)
}

// The pipeline records and reuses paid answers only for a summarizer that
// names its model and prompt version; tracing must not hide them (it did:
// with OTEL_* set, a re-run paid the model again).
func TestSummarizerKeepsModelAndPrompt(t *testing.T) {
	t.Parallel()
	r := mustRecorder(t)
	s := r.tel.Summarizer(keyedFake{})
	k, ok := s.(interface {
		ModelName() string
		PromptVersion() string
	})
	if !ok {
		t.Fatalf("traced summarizer %T hides ModelName and PromptVersion", s)
	}
	if k.ModelName() != "bedrock:amazon.nova-micro-v1:0" || k.PromptVersion() != "v3" {
		t.Errorf("traced summarizer names %q %q", k.ModelName(), k.PromptVersion())
	}
	if _, err := s.Summarize(context.Background(), &ticketsum.Ticket{ID: "T-1"}); err != nil {
		t.Fatal(err)
	}
	if spans := r.ended(t); len(spans) != 1 || spans[0].Name != "ticketsum.summarize" {
		t.Errorf("spans = %v, want one ticketsum.summarize", spans)
	}
	if _, ok := r.tel.Summarizer(plainFake{}).(interface{ ModelName() string }); ok {
		t.Error("a summarizer without a model name gained one")
	}
}
