package guard

import (
	"context"
	"strings"
	"testing"
)

// TestCardAfterWordsHidingAnIdWord: "ref" inside "prefer", "order" inside
// "border" or "recorded" and "case" inside "showcase" made the card number
// after them a reference number, so a valid card number after such a word
// passed both checks. The words still count where a word starts.
func TestCardAfterWordsHidingAnIdWord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, text := range []string{
		"I prefer 4111 1111 1111 1111 for the refund.",
		"The recorder logged 4111-1111-1111-1111 at the border.",
		"At the border 5500 0000 0000 0004 was declined.",
		"Their showcase 4111111111111111 was charged twice.",
	} {
		s := g.NewSession(newTicket())
		in, err := g.CheckInput(ctx, s, text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !hasFinding(in.Findings, CardNumber) {
			t.Errorf("input %q: no card number found: %v", text, in.Findings)
		}
		out, err := g.CheckOutput(ctx, s, text)
		if !out.Blocked() || err == nil || strings.Contains(err.Error(), "1111") {
			t.Errorf("output %q: not blocked as a card number: %v, %v", text, out.Findings, err)
		}
	}
	for _, text := range []string{"Order ref 4111 1111 1111 1111 was refunded.", "Case 4111111111111111 was closed.", "Tracking: 4111-1111-1111-1111."} {
		out, err := g.CheckOutput(ctx, g.NewSession(newTicket()), text)
		if err != nil || hasFinding(out.Findings, CardNumber) {
			t.Errorf("%q: took a reference number for a card number: %v, %v", text, out.Findings, err)
		}
	}
}
