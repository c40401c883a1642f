package guard

import (
	"sync"
)

// kwSet is a set of lower-case keywords that a detector needs near a match
// before it runs its regular expression. Every set is declared with kw in a
// package-level variable, and one automaton finds the words of all sets in
// a single pass over the text.
type kwSet struct {
	words []string
	ids   []uint16 // the words' ids in the automaton
	bits  []uint64 // ids as a bit set
}

// has reports whether word id belongs to the set.
func (k *kwSet) has(id uint16) bool {
	i := int(id) >> 6
	return i < len(k.bits) && k.bits[i]&(1<<(id&63)) != 0
}

// kwWords collects, during package initialisation only, every keyword of
// every set; keywordMatcher builds the automaton from it on first use.
var kwWords = map[string]uint16{}

// kw declares a keyword set. It must only be called to initialise a
// package-level variable.
func kw(words ...string) *kwSet {
	k := &kwSet{words: words}
	for _, w := range words {
		id, ok := kwWords[w]
		if !ok {
			id = uint16(len(kwWords))
			kwWords[w] = id
		}
		k.ids = append(k.ids, id)
		for int(id)>>6 >= len(k.bits) {
			k.bits = append(k.bits, 0)
		}
		k.bits[id>>6] |= 1 << (id & 63)
	}
	return k
}

// keywordMatcher returns the automaton over every declared keyword and
// every secret rule's keyword, built once: one pass over a text finds both
// (the secret rules' keywords are reported apart, by their index in
// secretRuleSet.words).
var keywordMatcher = sync.OnceValue(func() *kwMatcher {
	words := make([]string, len(kwWords))
	for w, id := range kwWords {
		words[id] = w
	}
	var secret []string
	if set, err := compiledSecretRules(); err == nil {
		secret = set.words
	}
	return newKWMatcher(words, secret)
})

// kwHit is a keyword found in a text: where it starts and which it is.
type kwHit struct {
	start int32
	id    uint16
}

// kwMatcher finds many keywords in one pass over a lower-case text: an
// Aho-Corasick automaton compiled to a dense table over byte classes, so
// that each byte costs one table lookup whatever the number of keywords.
// It matches two lists of keywords at once and reports each list's hits
// apart, with the word's index in its own list as id.
type kwMatcher struct {
	words  []string   // the first list, then the second's words not in it
	class  [256]uint8 // byte -> class; 0 for bytes in no keyword
	nclass int
	next   []uint32   // row + class -> next row (state*nclass), with outBit when it ends keywords
	out    [][]uint16 // state -> ids (in words) of the keywords that end there
	first  int        // words[:first] is the first list
	second []int32    // id in words -> index in the second list, or -1
}

const outBit = 1 << 31

// newKWMatcher returns the automaton that finds the words of first and of
// second.
func newKWMatcher(first, second []string) *kwMatcher {
	words := append([]string(nil), first...)
	m := &kwMatcher{nclass: 1, first: len(first)}
	index := make(map[string]int, len(words))
	for id, w := range words {
		index[w] = id
		m.second = append(m.second, -1)
	}
	for k, w := range second {
		id, ok := index[w]
		if !ok {
			id = len(words)
			index[w] = id
			words = append(words, w)
			m.second = append(m.second, -1)
		}
		m.second[id] = int32(k)
	}
	m.words = words
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if m.class[w[i]] == 0 {
				m.class[w[i]] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	// the trie: goto[state][class], -1 for none
	var gotoT [][]int32
	newState := func() int32 {
		row := make([]int32, m.nclass)
		for i := range row {
			row[i] = -1
		}
		gotoT = append(gotoT, row)
		m.out = append(m.out, nil)
		return int32(len(gotoT) - 1)
	}
	newState()
	for id, w := range words {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := m.class[w[i]]
			if gotoT[s][c] < 0 {
				n := newState()
				gotoT[s][c] = n
			}
			s = gotoT[s][c]
		}
		m.out[s] = append(m.out[s], uint16(id))
	}
	// failure links in breadth-first order, folded into a full table
	n := len(gotoT)
	m.next = make([]uint32, n*m.nclass)
	fail := make([]int32, n)
	queue := []int32{}
	for c := 0; c < m.nclass; c++ {
		if t := gotoT[0][c]; t > 0 {
			m.next[c] = uint32(t)
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = append(m.out[s], m.out[fail[s]]...)
		for c := 0; c < m.nclass; c++ {
			if t := gotoT[s][c]; t > 0 {
				fail[t] = int32(m.next[int(fail[s])*m.nclass+c])
				m.next[int(s)*m.nclass+c] = uint32(t)
				queue = append(queue, t)
			} else {
				m.next[int(s)*m.nclass+c] = m.next[int(fail[s])*m.nclass+c]
			}
		}
	}
	// store row offsets (state*nclass) rather than states: one multiply
	// less per byte
	for i, t := range m.next {
		off := t * uint32(m.nclass)
		if len(m.out[t]) > 0 {
			off |= outBit
		}
		m.next[i] = off
	}
	return m
}

// find appends to hits every occurrence in lower of a word of the first
// list, and to second every occurrence of a word of the second, each in
// order of end. The table and the class map are read through locals, which
// the compiler keeps in registers (through m it loaded them again for every
// byte), and a state that ends keywords is handled out of line.
func (m *kwMatcher) find(hits, second []kwHit, lower string) ([]kwHit, []kwHit) {
	next, class := m.next, &m.class
	s := uint32(0)
	for i := 0; i < len(lower); i++ {
		s = next[s&^outBit+uint32(class[lower[i]])]
		if s&outBit != 0 {
			hits, second = m.appendOut(hits, second, s, i)
		}
	}
	return hits, second
}

// appendOut appends the keywords that end at lower[i] in state row s.
func (m *kwMatcher) appendOut(hits, second []kwHit, s uint32, i int) ([]kwHit, []kwHit) {
	for _, id := range m.out[(s&^outBit)/uint32(m.nclass)] {
		start := int32(i + 1 - len(m.words[id]))
		if int(id) < m.first {
			hits = append(hits, kwHit{start, id})
		}
		if k := m.second[id]; k >= 0 {
			second = append(second, kwHit{start, uint16(k)})
		}
	}
	return hits, second
}
