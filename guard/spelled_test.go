package guard

import (
	"context"
	"strings"
	"testing"
)

// TestSpelledNumbersFound: a phone number written out in words, as a
// customer dictates it or as a model told not to write digits repeats it
// (the built-in model's summary carried "four one five zero one four two"
// in the security walk), is contact data on both sides.
func TestSpelledNumbersFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, tc := range []struct{ text, number string }{
		{"Please call back on four one five zero one four two, any time.", "four one five zero one four two"},
		{"My number is five five five, one two three, four five six seven.", "five five five, one two three, four five six seven"},
		{"Reach them at four-one-five five-five-five zero-one-four-two.", "four-one-five five-five-five zero-one-four-two"},
		{"It is oh two oh, seven nine four six, oh nine five eight.", "oh two oh, seven nine four six, oh nine five eight"},
		{"Ring 415 five five five 0142 tomorrow.", "415 five five five 0142"},
		{"The customer left double four, seven one two three nine for callbacks.", "double four, seven one two three nine"},
	} {
		for _, check := range []func(context.Context, *Session, string) (*Result, error){g.CheckInput, g.CheckOutput} {
			s := g.NewSession(newTicket())
			out, err := check(ctx, s, tc.text)
			if err != nil {
				t.Fatalf("%q: %v", tc.text, err)
			}
			if strings.Contains(out.Text, tc.number) || !hasFinding(out.Findings, Phone) {
				t.Errorf("%q: kept the number: %q, findings %v", tc.text, out.Text, out.Findings)
			}
		}
	}
}

// TestSpelledNumbersNotEverything: counting, short numbers, figures in
// digits and words that merely start like digit words are not phone
// numbers.
func TestSpelledNumbersNotEverything(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := MustGuard(t, Config{})
	for _, text := range []string{
		"Steps one, two and three were done; four and five failed.",
		"One of the two seats was refunded, and one-on-one onboarding was offered.",
		"Five of the seven licences expired on 2026-12-03 at 10:00:01.",
		"The agent reset three passwords on two accounts in one session.",
		"Someone often noted nine tents; the other seventy were fine.",
		"Order 1234 5678 shipped in two boxes.",
	} {
		s := g.NewSession(newTicket())
		out, err := g.CheckOutput(ctx, s, text)
		if err != nil {
			t.Fatal(err)
		}
		if hasFinding(out.Findings, Phone) {
			t.Errorf("%q: took words for a phone number: %q %v", text, out.Text, out.Findings)
		}
	}
}
