package guard

import (
	"strings"
	"testing"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/sample"
)

// detectHasAddress is the answer HasAddress stands in for.
func detectHasAddress(g *Guard, s *Session, text string) bool {
	for _, f := range g.Detect(s, text) {
		if f.Type == string(Address) {
			return true
		}
	}
	return false
}

// addressOnlyTexts are texts where an address competes with other findings
// or with a placeholder, on top of the differential corpus.
var addressOnlyTexts = []string{
	"I live at 221 Baker Street, London NW1 6XE.",
	"see https://maps.example.com/221 Baker Street/x for the way",
	"mail anna.berg@example.com or 221B Baker Street, Apt 4",
	"my address is {ADDRESS_1} and the flat 12 is mine",
	"Apt 12",
	"Flat 4, 10 Downing Street, London SW1A 2AA",
	"Rue de la Paix 17, 75002 Paris",
	"call 415-555-2671 at 42 Harbour Street",
	"4 nights in a row",
	"PO Box 1234",
	"Anna Berg, 12 Main Street",
	"IBAN GB82 WEST 1234 5698 7654 32 Street",
}

// TestHasAddressSameAsDetect compares HasAddress with Detect's findings on
// every text of the prefilter corpus, whole, line by line and sentence by
// sentence (the unit the built-in summariser asks about), without a session
// and with the session of each sample ticket, at three MinScore settings
// (the address detector scores its spans 0.6 to 0.9).
func TestHasAddressSameAsDetect(t *testing.T) {
	t.Parallel()
	var texts []string
	for _, text := range append(prefilterTexts(t), addressOnlyTexts...) {
		texts = append(texts, text)
		for _, line := range strings.Split(text, "\n") {
			texts = append(texts, line)
			texts = append(texts, strings.SplitAfter(line, ". ")...)
		}
	}
	tickets, err := sample.Tickets()
	if err != nil {
		t.Fatal(err)
	}
	tickets = append(tickets, &ticketsum.Ticket{Customer: ticketsum.Customer{Name: "Anna Berg", Email: "anna.berg@example.com"}})
	for _, minScore := range []float64{0.5, 0.65, 0.8} {
		g := MustGuard(t, Config{MinScore: minScore})
		sessions := []*Session{nil}
		for _, tk := range tickets {
			sessions = append(sessions, g.NewSession(tk))
		}
		yes, no := 0, 0
		for i, text := range texts {
			s := sessions[i%len(sessions)]
			want := detectHasAddress(g, s, text)
			if got := g.HasAddress(s, text); got != want {
				t.Fatalf("MinScore %v: HasAddress(%q) = %v, Detect says %v", minScore, text, got, want)
			}
			if want {
				yes++
			} else {
				no++
			}
		}
		if yes < 10 || no < 10 {
			t.Fatalf("MinScore %v: %d texts with an address and %d without: the comparison proves little", minScore, yes, no)
		}
		t.Logf("MinScore %v: %d texts with an address, %d without, same answers", minScore, yes, no)
	}
}

// FuzzHasAddress checks HasAddress against Detect on any text.
func FuzzHasAddress(f *testing.F) {
	for _, s := range addressOnlyTexts {
		f.Add(s)
	}
	g := MustGuard(f, Config{})
	s := g.NewSession(&ticketsum.Ticket{Customer: ticketsum.Customer{Name: "Anna Berg", Email: "anna.berg@example.com"}})
	f.Fuzz(func(t *testing.T, text string) {
		for _, sess := range []*Session{nil, s} {
			if got, want := g.HasAddress(sess, text), detectHasAddress(g, sess, text); got != want {
				t.Fatalf("HasAddress(%q) = %v, Detect says %v", text, got, want)
			}
		}
	})
}
