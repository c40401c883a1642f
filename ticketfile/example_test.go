package ticketfile_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ticketsum/ticketsum/ticketfile"
)

func ExampleDecoder() {
	input := `{"id": "T-1", "subject": "Cannot log in", "messages": [{"role": "customer", "body": "Password reset mail never arrives."}, {"role": "agent", "body": "I re-sent it; please check spam."}]}
{"id": "T-2", "messages": [{"role": "bot", "body": "Hello"}]}
{"id": "T-3", "turns": [{"role": "customer", "text": "Where is my order?"}], "summaries": ["Customer asks about an order."]}
`
	d := ticketfile.NewDecoder(strings.NewReader(input), "tickets.jsonl", ticketfile.Options{MaxTicketBytes: 1 << 20})
	for {
		t, err := d.Next()
		if err == io.EOF {
			break
		}
		var p *ticketfile.Problem
		if errors.As(err, &p) {
			fmt.Println("skipped:", p)
			continue
		}
		if err != nil {
			fmt.Println("fatal:", err)
			break
		}
		fmt.Printf("%s: %d messages\n", t.ID, len(t.Messages))
	}
	// Output:
	// T-1: 2 messages
	// skipped: tickets.jsonl:2: ticket "T-2" message 1 has unknown role "bot" (want customer, agent or internal)
	// T-3: 1 messages
}
