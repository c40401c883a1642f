package gateway_test

import (
	"context"
	"fmt"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/gateway"
)

// Route Sonnet calls through the gateway with Bedrock's default quota and
// Haiku as the fallback: Sonnet is throttled every time, so Haiku answers,
// and the answer carries the model and its cost from the catalogue.
func Example() {
	sonnet := &fakeModel{name: "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0", always: ticketsum.Errorf(ticketsum.ETHROTTLED, "throttled")}
	haiku := &fakeModel{name: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0"}
	clock := newFakeClock() // virtual time: backoffs do not wait

	g, err := gateway.New(gateway.Config{
		Limits: map[string]gateway.Limits{
			sonnet.name: {RequestsPerMinute: 50, TokensPerMinute: 400_000},
		},
		Fallbacks: map[string][]string{sonnet.name: {haiku.name}},
		Clock:     clock,
		Sleep:     clock.Sleep,
	}, sonnet, haiku)
	if err != nil {
		panic(err)
	}
	m, err := g.Model(sonnet.name)
	if err != nil {
		panic(err)
	}
	res, err := m.Generate(context.Background(), &ticketsum.ModelRequest{
		System:   "Summarise the ticket.",
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "Customer: export fails. Agent: fixed."}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s answered after %d throttled attempts on Sonnet, $%.4f\n", res.Model, sonnet.calls(), res.CostUSD)
	// Output: bedrock:anthropic.claude-3-5-haiku-20241022-v1:0 answered after 4 throttled attempts on Sonnet, $0.0024
}
