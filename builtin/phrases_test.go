package builtin

import (
	"strings"
	"testing"
)

// TestPhraseSetMatchesContainsAny checks the one-pass matcher against
// containsAny on every phrase list it replaces and texts built from them.
func TestPhraseSetMatchesContainsAny(t *testing.T) {
	t.Parallel()
	lists := [][]string{footerPhrases, autoReplyPhrases, ackPhrases, problemWords, thanksPhrases, closingPhrases,
		actionHints, emptyWords, idleWords, requestPhrases, pendingPhrases, openPhrases,
		spamPhrases, agentSpamWords, reopenPhrases, {"?", "ab", "a"}, {""}, {"ab", "ab", "b", "abc", ""}}
	texts := []string{"", "a", "?", strings.Join(spamPhrases, " "), "seo seo guaranteed", "the printer is out of the office", "thanks, it works now", "não funciona",
		"please do not reply to this email", "intended recipient", "x", strings.Repeat("z", 100) + "still"}
	for _, l := range lists {
		texts = append(texts, l...)
		for _, p := range l {
			if len(p) > 1 {
				texts = append(texts, p[1:], p[:len(p)-1], "..."+p+"...")
			}
		}
	}
	for i, l := range lists {
		ps := newPhraseSet(l)
		for _, s := range texts {
			if got, want := ps.in(s), containsAny(s, l); got != want {
				t.Fatalf("list %d on %q: phraseSet %v, containsAny %v", i, s, got, want)
			}
			want := 0
			for _, p := range l {
				if strings.Contains(s, p) {
					want++
				}
			}
			if got := ps.count(s); got != want {
				t.Fatalf("list %d on %q: count %d, want %d", i, s, got, want)
			}
		}
	}
}
