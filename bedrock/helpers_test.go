package bedrock_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// recorder is a Responder that answers a fixed sentence per model and
// records the prompts it saw.
type recorder struct {
	mu      sync.Mutex
	prompts []string
	answer  func(model string) string
}

func (r *recorder) respond(model, prompt string) string {
	r.mu.Lock()
	r.prompts = append(r.prompts, prompt)
	r.mu.Unlock()
	if r.answer != nil {
		return r.answer(model)
	}
	return "The customer could not print invoices from " + model + "; the agent reinstalled the driver and it works."
}

// MustModel returns a bedrock model pointed at srv.
func MustModel(tb testing.TB, srv *bedrocktest.Server, cfg bedrock.Config) *bedrock.Model {
	tb.Helper()
	aws := srv.AWSConfig()
	cfg.AWS = &aws
	m, err := bedrock.New(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("bedrock.New: %v", err)
	}
	return m
}

// request is a small summarisation request.
func request(user string) *ticketsum.ModelRequest {
	return &ticketsum.ModelRequest{
		System:    "Summarise the support ticket in one neutral paragraph.",
		Messages:  []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: user}},
		MaxTokens: 300,
	}
}
