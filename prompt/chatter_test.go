package prompt_test

import (
	"testing"

	"github.com/ticketsum/ticketsum/prompt"
)

func TestTrimChatter(t *testing.T) {
	t.Parallel()
	const body = "The customer reported that the desktop app stopped syncing after the update. The agent asked them to sign out and in again, which fixed it."
	cases := []struct {
		name, in, want string
		trimmed        bool
	}{
		{"plain", body, body, false},
		{"preamble and closing", "Sure! Here is a summary of the ticket:\n\n" + body + "\n\nLet me know if you need anything else!", body, true},
		{"title", "**Summary**\n\n" + body, body, true},
		{"markdown heading", "## Ticket summary\n\n" + body, body, true},
		{"closing only", body + "\n\nI hope this helps.", body, true},
		{"preamble in the same paragraph is left to the flag", "Here is a summary: " + body, "Here is a summary: " + body, false},
		{"a preamble alone is kept", "Here is a summary of the ticket:", "Here is a summary of the ticket:", false},
		{"a long first paragraph is content", "Okay, so the customer wrote in three times about the same sync failure on the desktop app after the update.\n\n" + body,
			"Okay, so the customer wrote in three times about the same sync failure on the desktop app after the update.\n\n" + body, false},
		{"two content paragraphs", body + "\n\n" + body, body + "\n\n" + body, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, trimmed := prompt.TrimChatter(c.in)
			if got != c.want || trimmed != c.trimmed {
				t.Errorf("TrimChatter(%q) = %q, %v; want %q, %v", c.in, got, trimmed, c.want, c.trimmed)
			}
		})
	}
}
