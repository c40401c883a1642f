package builtin

import (
	"strings"
	"testing"
)

// BenchmarkPhraseMatching compares one pass of a phraseSet with
// containsAny over the same list, on a message of 5 KB with no match.
func BenchmarkPhraseMatching(b *testing.B) {
	text := strings.ToLower(strings.Repeat("The nightly export of the invoices to the accounting system fails with a timeout. ", 64))
	lists := [][]string{footerPhrases, autoReplyPhrases, ackPhrases}
	b.Run("containsAny", func(b *testing.B) {
		for b.Loop() {
			for _, l := range lists {
				containsAny(text, l)
			}
		}
	})
	sets := []*phraseSet{newPhraseSet(footerPhrases), newPhraseSet(autoReplyPhrases), newPhraseSet(ackPhrases)}
	b.Run("phraseSet", func(b *testing.B) {
		for b.Loop() {
			for _, s := range sets {
				s.in(text)
			}
		}
	})
}
