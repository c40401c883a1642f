package guard

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// phoneStanding returns the matches of phoneShape7 around the text's
// clusters, as the phone detector walks them with the window test ok,
// that phoneStandsAlone keeps.
func phoneStanding(sc *scan, ok func(a, b int) bool) [][]int {
	var out [][]int
	for _, m := range sc.inClusters(phoneShape7, 8, 24, 7, 0, ok) {
		if _, _, keep := phoneStandsAlone(sc.text, m[0], m[1]); keep {
			out = append(out, m)
		}
	}
	return out
}

// TestPhoneKeep checks that mayPhone leaves out no window in which the
// phone detector's walk finds a match it keeps (phoneStandsAlone), on the
// test texts, every development-set thread and 40,000 random strings of
// phone numbers' pieces (groups, + and 00 prefixes, parentheses,
// separators, extensions), timestamps, dates, ids and letters.
func TestPhoneKeep(t *testing.T) {
	t.Parallel()
	g := MustGuard(t, Config{})
	var pool sync.Pool
	check := func(text string) bool {
		sc := newScan(text, g.lx, &pool)
		defer sc.release(&pool)
		all, kept := phoneStanding(sc, nil), phoneStanding(sc, sc.mayPhone)
		if !slices.EqualFunc(all, kept, slices.Equal) {
			t.Fatalf("mayPhone changes the phone matches of %q: %v, want %v", text, kept, all)
		}
		return len(all) > 0
	}
	texts := prefilterTexts(t)
	for _, tk := range devsetTickets(t) {
		texts = append(texts, threadText(tk))
	}
	for _, text := range texts {
		check(text)
	}
	pieces := []string{"+", "00", "(", ")", "+(", " ", "  ", "-", " - ", "\t-\n", ".", "/", ":", "#", "_", "=", "%", "\n",
		"1", "12", "415", "555", "2671", "0044", "12345", "123456789", "1234567890123456", "x", "ext. ", "extension", " x",
		"2026-03-01T08:00:07.037Z", "2026-03-01", "10:22:33", "INV-2026-", "a", "Tel ", "T", "é"}
	r := rand.New(rand.NewPCG(4, 15))
	matched := 0
	for range randomStrings(40_000) {
		if check(randomJoin(r, pieces, 18)) {
			matched++
		}
	}
	if matched < randomStrings(2_000) {
		t.Fatalf("only %d random strings hold a phone match the detector keeps: the test proves little", matched)
	}
	t.Logf("random strings with a kept phone match: %d", matched)
}
