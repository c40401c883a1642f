package builtin

import "strings"

// phraseSets are the phrase lists matched on every message or sentence,
// compiled once per Summarizer.
type phraseSets struct {
	footer, autoReply, ack, problem, thanks, actionHints, empty, closing, idle *phraseSet
	spam, agentSpam, reopen                                                    *phraseSet
}

func newPhraseSets() *phraseSets {
	return &phraseSets{
		footer: newPhraseSet(footerPhrases), autoReply: newPhraseSet(autoReplyPhrases), ack: newPhraseSet(ackPhrases),
		problem: newPhraseSet(problemWords), thanks: newPhraseSet(thanksPhrases), actionHints: newPhraseSet(actionHints),
		empty: newPhraseSet(emptyWords), closing: newPhraseSet(closingPhrases), idle: newPhraseSet(idleWords),
		spam: newPhraseSet(spamPhrases), agentSpam: newPhraseSet(agentSpamWords), reopen: newPhraseSet(reopenPhrases),
	}
}

// phraseSet finds whether any of a list of phrases occurs in a text in one
// pass over the text, where strings.Contains per phrase makes one pass per
// phrase: positions are filtered by the phrases' first two bytes and only
// the phrases that start with those bytes are compared there. It gives the
// same answers as containsAny on the same list. Built once, read only.
type phraseSet struct {
	single  string               // phrases of one byte, such as "?"
	filter  [1 << 16 / 64]uint64 // bit per two-byte prefix
	buckets map[uint16][]int     // indexes in phrases, by two-byte prefix
	phrases []string
}

func newPhraseSet(phrases []string) *phraseSet {
	ps := &phraseSet{buckets: map[uint16][]int{}, phrases: phrases}
	for i, p := range phrases {
		switch len(p) {
		case 0:
			ps.single = "\x00" // an empty phrase is in every text
		case 1:
			ps.single += p
		default:
			k := uint16(p[0])<<8 | uint16(p[1])
			ps.filter[k/64] |= 1 << (k % 64)
			ps.buckets[k] = append(ps.buckets[k], i)
		}
	}
	return ps
}

// in reports whether any phrase occurs in s.
func (ps *phraseSet) in(s string) bool {
	if ps.single != "" && (strings.Contains(ps.single, "\x00") || strings.ContainsAny(s, ps.single)) {
		return true
	}
	for i := 0; i+1 < len(s); i++ {
		k := uint16(s[i])<<8 | uint16(s[i+1])
		if ps.filter[k/64]&(1<<(k%64)) == 0 {
			continue
		}
		for _, j := range ps.buckets[k] {
			if strings.HasPrefix(s[i:], ps.phrases[j]) {
				return true
			}
		}
	}
	return false
}

// count returns how many of the phrases occur in s, each entry of the list
// once, as counting the phrases p for which strings.Contains(s, p) holds
// does, in one pass over s.
func (ps *phraseSet) count(s string) int {
	seen := make([]bool, len(ps.phrases))
	n := 0
	for j, p := range ps.phrases {
		if len(p) < 2 && strings.Contains(s, p) {
			seen[j] = true
			n++
		}
	}
	for i := 0; i+1 < len(s); i++ {
		k := uint16(s[i])<<8 | uint16(s[i+1])
		if ps.filter[k/64]&(1<<(k%64)) == 0 {
			continue
		}
		for _, j := range ps.buckets[k] {
			if !seen[j] && strings.HasPrefix(s[i:], ps.phrases[j]) {
				seen[j] = true
				n++
			}
		}
	}
	return n
}
