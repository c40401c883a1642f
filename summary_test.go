package ticketsum_test

import (
	"context"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// llmLike names its model and prompt version, as an LLM summarizer does.
type llmLike struct{}

func (llmLike) Summarize(context.Context, *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return &ticketsum.Summary{Model: "inner"}, nil
}
func (llmLike) ModelName() string     { return "bedrock:amazon.nova-micro-v1:0" }
func (llmLike) PromptVersion() string { return "v3" }

// wrapper answers on its own, to show whose Summarize a kept wrapper runs.
type wrapper struct{}

func (wrapper) Summarize(context.Context, *ticketsum.Ticket) (*ticketsum.Summary, error) {
	return &ticketsum.Summary{Model: "wrapper"}, nil
}

func TestKeepKeys(t *testing.T) {
	t.Parallel()
	k, ok := ticketsum.KeepKeys(wrapper{}, llmLike{}).(ticketsum.KeyedSummarizer)
	if !ok {
		t.Fatal("the wrapper of a keyed summarizer hides its model and prompt version")
	}
	if k.ModelName() != "bedrock:amazon.nova-micro-v1:0" || k.PromptVersion() != "v3" {
		t.Errorf("kept keys = %q %q", k.ModelName(), k.PromptVersion())
	}
	if s, err := k.Summarize(context.Background(), nil); err != nil || s.Model != "wrapper" {
		t.Errorf("Summarize ran %v (%v), want the wrapper's", s, err)
	}
	if _, ok := ticketsum.KeepKeys(wrapper{}, wrapper{}).(ticketsum.KeyedSummarizer); ok {
		t.Error("the wrapper of a summarizer without keys gained them")
	}
}
