package openai_test

import (
	"context"
	"fmt"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/openai"
	"github.com/ticketsum/ticketsum/openai/openaitest"
)

// Summarise through an OpenAI-compatible server such as Ollama or vLLM;
// here the in-process fake stands in for it.
func Example() {
	srv := openaitest.NewServer(openaitest.Config{})
	defer srv.Close()

	m, err := openai.New(openai.Config{Model: "llama3.1:8b", BaseURL: srv.URL})
	if err != nil {
		panic(err)
	}
	res, err := m.Generate(context.Background(), &ticketsum.ModelRequest{
		System:   "Summarise the ticket in one neutral paragraph of at most 60 words.",
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Customer: my export fails. Agent: fixed."}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Model, res.StopReason, res.Usage.OutputTokens > 0)
	// Output: openai:llama3.1:8b stop true
}
