package cost_test

import (
	"fmt"

	ticketsum "github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/cost"
)

// Price the usage Bedrock reported for one call made through the us. cross-
// region profile, with part of the prompt read from the cache.
func ExampleCatalogue_Cost() {
	cat, err := cost.Default()
	if err != nil {
		panic(err)
	}
	usd, err := cat.Cost("bedrock:us.anthropic.claude-3-5-haiku-20241022-v1:0", ticketsum.Usage{
		InputTokens:     600,
		CacheReadTokens: 1400,
		OutputTokens:    200,
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("$%.6f\n", usd)
	// Output: $0.001392
}
