package sample_test

import (
	"fmt"

	"github.com/ticketsum/ticketsum/sample"
)

// Load the bundled sample, as `ticketsum serve` does on first start, and count
// tickets per product line.
func ExampleTickets() {
	tickets, err := sample.Tickets()
	if err != nil {
		fmt.Println(err)
		return
	}
	perLine := map[string]int{}
	for _, t := range tickets {
		perLine[t.ProductLine]++
	}
	for _, pl := range sample.ProductLines() {
		fmt.Println(pl, perLine[pl])
	}
	// Output:
	// billing 10
	// mobile-app 10
	// web-dashboard 10
	// integrations-api 10
	// hardware 10
}
