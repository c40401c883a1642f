package guard

import "testing"

// BenchmarkLexDevset runs the scan's lexer (words, lexicon flags, digit
// runs) over the development-set threads; one op is a pass over all of
// them.
func BenchmarkLexDevset(b *testing.B) {
	var texts, lowers []string
	n := 0
	var sc scan
	for _, tk := range devsetTickets(b) {
		t := threadText(tk)
		texts = append(texts, t)
		lowers = append(lowers, asciiLower(t))
		n += len(t)
	}
	g := MustGuard(b, Config{Topics: DefaultTopics()})
	b.SetBytes(int64(n))
	for b.Loop() {
		for i, t := range texts {
			sc.toks, sc.runs = lexDigits(sc.toks[:0], sc.runs[:0], t, lowers[i], g.lx, true)
		}
	}
}
