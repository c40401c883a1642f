package sample_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ticketsum/ticketsum/sample"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// TestJSONLImports checks that the embedded file is valid input for
// `ticketsum import`, so that the sample stays in the documented format.
func TestJSONLImports(t *testing.T) {
	t.Parallel()
	want, err := sample.Tickets()
	if err != nil {
		t.Fatal(err)
	}
	dec := ticketfile.NewDecoder(bytes.NewReader(sample.JSONL()), "tickets.jsonl", ticketfile.Options{})
	n := 0
	for {
		tk, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("ticket %d: %v", n+1, err)
		}
		if n >= len(want) || tk.ContentHash() != want[n].ContentHash() || tk.ExpectedStatus != want[n].ExpectedStatus {
			t.Fatalf("ticket %d (%s) decodes differently through ticketfile", n+1, tk.ID)
		}
		n++
	}
	if n != len(want) {
		t.Errorf("ticketfile read %d tickets, sample.Tickets %d", n, len(want))
	}
}
