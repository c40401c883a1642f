package bedrock_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/bedrock"
	"github.com/ticketsum/ticketsum/bedrocktest"
)

// A Bedrock model pointed at the fake server. In production, leave AWS nil
// to use the standard AWS chain (AWS_REGION, AWS_PROFILE ...).
func ExampleNew() {
	srv, err := bedrocktest.NewServer(bedrocktest.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	aws := srv.AWSConfig()

	m, err := bedrock.New(context.Background(), bedrock.Config{
		ModelID: "us.anthropic.claude-3-5-haiku-20241022-v1:0",
		AWS:     &aws,
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := m.Generate(context.Background(), &ticketsum.ModelRequest{
		System:   "Summarise the ticket in one neutral paragraph.",
		Messages: []ticketsum.ChatMessage{{Role: ticketsum.ChatUser, Content: "My invoice shows a duplicate charge for the March invoice. Agent: refunded the duplicate charge; it is resolved."}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Model)
	fmt.Println(resp.Text)
	fmt.Println(resp.Usage.OutputTokens > 0, resp.StopReason)
	// Output:
	// bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0
	// The customer contacted support about a problem with invoice, duplicate and charge. The agent reviewed the details and explained the steps to fix it. The issue is resolved.
	// true end_turn
}
