package guard

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/ticketsum/ticketsum"
)

// namesDiff fails when detectNames finds other names in text, with the
// known and learned parts, with its test that passes over most words than
// without it (noPrefilters), or when the scan's tokens of a name differ
// from those tokenize finds in its text. It returns how many names it
// found.
func namesDiff(t *testing.T, lx *lexicon, pool *sync.Pool, text string, known, learned map[string]bool) int {
	t.Helper()
	sc := newScan(text, lx, pool)
	defer sc.release(pool)
	noPrefilters = true
	want := slices.Clone(lx.detectNames(sc, known, learned))
	noPrefilters = false
	got := lx.detectNames(sc, known, learned)
	if !slices.Equal(got, want) {
		t.Fatalf("names in %q (known %v): %v, want %v", text, known, got, want)
	}
	// propagate reads each name's words from the scan's tokens, not by
	// tokenizing its text again: the same words
	c := &nameCtx{text: text, toks: sc.toks}
	for _, sp := range got {
		re := tokenize(text[sp.start:sp.end])
		toks := c.spanTokens(sp)
		same := len(re) == len(toks)
		for k := 0; same && k < len(re); k++ {
			a, b := re[k], toks[k]
			same = a.start+sp.start == b.start && a.end+sp.start == b.end && a.folded == b.folded && a.upper == b.upper && a.letters == b.letters
		}
		if !same {
			t.Fatalf("words of the name %q in %q: %+v, tokenize gives %+v", text[sp.start:sp.end], text, toks, re)
		}
	}
	return len(got)
}

// TestNamesMayStart compares the name rules with and without the token
// test that passes over most words, on the guard's test texts (without a
// session), every development-set ticket's messages and thread with its
// session's known parts, and random strings of name words, cues, roles,
// capitalised words, numbers and punctuation with random known names. Not
// parallel: it flips a package variable.
func TestNamesMayStart(t *testing.T) {
	g := MustGuard(t, Config{})
	defer func() { noPrefilters = false }()
	var pool sync.Pool
	n := 0
	for _, text := range prefilterTexts(t) {
		n += namesDiff(t, g.lx, &pool, text, nil, nil)
	}
	for _, tk := range devsetTickets(t) {
		s := g.NewSession(tk)
		for _, m := range tk.Messages {
			n += namesDiff(t, g.lx, &pool, m.Body, s.knownParts(), s.learnedParts())
		}
		n += namesDiff(t, g.lx, &pool, threadText(tk), s.knownParts(), s.learnedParts())
	}
	pieces := []string{"my name is ", "name: ", "Name: ", "I'm ", "this is ", "Dear ", "dear ", "Hi ", "thanks ", "Thanks, ", "technician ",
		"Producer ", "Mr. ", "Dr ", "San ", "Lake ", "Fort ", "said ", "wrote ", "'s wife ", "olga ", "Olga ", "krylova ", "Berg ", "berg ",
		"Will ", "Grant ", "Mark ", "Johnson ", "M. ", "Ásgeirsdóttir ", "the ", "and ", "ORDER ", "EA ", "12 ", "x1 ", ", ", ". ", "? ",
		": ", "\n", "\n\n", "- ", "Destiny: ", "Stefan ", "Hannah ", "hannah ", "Lindqvist ", "Okafor ", "Devon ", "Mehrudin ", "shouted ",
		"kid ", "Ticket ", "Support ", "agent ", "customer ", "is ", "my ", "wife ", "called ", "from ", "at ", "Palerma ", "Liviana "}
	people := []ticketsum.Customer{{Name: "Hannah Lindqvist"}, {Name: "Devon Okafor"}, {Name: "Olga Krylova"}, {Name: "Ann"}, {}}
	r := rand.New(rand.NewPCG(13, 10))
	random := 0
	for range randomStrings(20_000) {
		text := randomJoin(r, pieces, 14)
		tk := &ticketsum.Ticket{ID: "T", Customer: people[r.IntN(len(people))], Messages: []ticketsum.Message{{Role: ticketsum.RoleAgent, Author: people[r.IntN(len(people))].Name, Body: "x"}}}
		s := g.NewSession(tk)
		if namesDiff(t, g.lx, &pool, text, s.knownParts(), s.learnedParts()) > 0 {
			random++
		}
	}
	if n == 0 || random < randomStrings(1_000) {
		t.Fatalf("%d names in the texts, %d random strings with a name: the test proves little", n, random)
	}
	t.Logf("%d names in the texts, %d random strings with a name, identical", n, random)
}
