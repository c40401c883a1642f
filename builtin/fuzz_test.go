package builtin_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/builtin"
)

// FuzzSummarize checks that any valid ticket gets a summary of one
// paragraph within the word limit, opening with the template's "The" and
// ending with a full stop, and a valid status, without a panic.
// Messages are separated by \x1e and alternate customer and agent.
func FuzzSummarize(f *testing.F) {
	for _, seed := range []string{
		"My order is late.\x1ePlease DM us.\x1eThanks!", "<p>Hi Sarah,</p>\x1e> quoted", "", "?\x1e!\x1e.",
		"Call +1 555 0100 @x https://a.b", "Hi,How\x1eThanks-Mich", "a.B.c.D e?F! g", "\x1e\x1e\x1e",
		"¿Dónde está?\x1eÉtienne, ça marche", "ÉCRAN CASSÉ TOTALEMENT AUJOURD'HUI",
	} {
		f.Add(seed, "Dana Whitfield")
	}
	s, err := builtin.New(builtin.Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, bodies, name string) {
		tk := &ticketsum.Ticket{ID: "F", Customer: ticketsum.Customer{Name: name}}
		for i, b := range strings.Split(bodies, "\x1e") {
			role := ticketsum.RoleCustomer
			if i%2 == 1 {
				role = ticketsum.RoleAgent
			}
			tk.Messages = append(tk.Messages, ticketsum.Message{Role: role, Author: name, Body: b})
		}
		sum, err := s.Summarize(context.Background(), tk)
		if tk.Validate() != nil {
			if ticketsum.ErrorCodeOf(err) != ticketsum.EINVALID {
				t.Fatalf("invalid ticket: err = %v, want invalid", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if n := len(strings.Fields(sum.Text)); n > ticketsum.MaxSummaryWords || n == 0 || strings.ContainsAny(sum.Text, "\n\r") || !sum.Status.Valid() || !utf8.ValidString(sum.Text) ||
			!strings.HasPrefix(sum.Text, "The ") && !strings.HasPrefix(sum.Text, "No ") || !strings.HasSuffix(sum.Text, ".") {
			t.Fatalf("summary %q (%d words, status %q)", sum.Text, n, sum.Status)
		}
	})
}
