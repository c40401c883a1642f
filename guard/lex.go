package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a word of a text: text[start:end] as written. It keeps its
// offsets, not a second string, so that the per-word passes read 48 bytes
// a word rather than 64.
type token struct {
	start, end int
	folded     string  // lower case, accents stripped: a slice of the scan's lower-case text when ASCII
	lex        lexFlag // the lexicon's flags
	topic      int32   // the lexicon's denied-topic stem: 1 + its index, or 0
	upper      bool    // starts with an upper-case letter
	letters    bool    // letters only (and inner ' or -)
}

// word returns the token as written in text, the text it was read from.
func (t *token) word(text string) string { return text[t.start:t.end] }

// is reports whether the lexicon gives the token flag f.
func (t *token) is(f lexFlag) bool { return t.lex&f != 0 }

// Byte classes of the lexer.
const (
	bOther  = iota
	bLetter // A-Z, a-z
	bDigit  // 0-9
	bJoin   // ' and -, kept inside a word
	bHigh   // a byte of a multi-byte UTF-8 sequence
)

// byteClass classifies the bytes for the lexer; lowerByte lower-cases ASCII
// letters.
var byteClass, lowerByte = func() (t, l [256]uint8) {
	for c := 0; c < 256; c++ {
		l[c] = uint8(c)
		if c >= utf8.RuneSelf {
			t[c] = bHigh
		}
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = bLetter, bLetter
		l[c-'a'+'A'] = uint8(c)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = bDigit
	}
	t['\''], t['-'] = bJoin, bJoin
	return t, l
}()

// tokenize splits s into words: runs of letters and digits, with inner
// apostrophes, hyphens and periods of initials left out. Its tokens carry no
// lexicon flags; the scan of a checked text tokenizes with them.
func tokenize(s string) []token {
	return lexText(nil, s, asciiLower(s), nil)
}

// lexText appends the words of s to dst. lower is s with its ASCII letters in
// lower case; the folded form of an ASCII word is a slice of it, so that
// lexing allocates nothing beyond dst for English text. With a lexicon, each
// token carries the lexicon's flags for its folded form.
func lexText(dst []token, s, lower string, lx *lexicon) []token {
	dst, _ = lexDigits(dst, nil, s, lower, lx, false)
	return dst
}

// lexDigits is lexText that also appends to runs the maximal runs of ASCII
// digits, which all lie inside words, when wantRuns is set.
//
// Each step is a loop of its own with few live values (skipping
// separators, reading a word with its hash, finding its digit runs): one
// loop doing all of it at once kept its state on the stack and reloaded it
// for every byte.
func lexDigits(dst []token, runs [][2]int, s, lower string, lx *lexicon, wantRuns bool) ([]token, [][2]int) {
	for i := 0; ; {
		i = skipSeparators(s, i)
		if i == len(s) {
			return dst, runs
		}
		if byteClass[s[i]] == bHigh {
			if r, n := utf8.DecodeRuneInString(s[i:]); !isWordRune(r) {
				i += n
				continue
			}
		}
		start := i
		w := readWord(s, i)
		if w.digit && wantRuns {
			runs = appendDigitRuns(runs, s, start, w.end)
		}
		i = w.end
		if c := s[i-1]; w.ascii && byteClass[c] >= bLetter && byteClass[c] <= bDigit && (c|0x20 != 's' || i-start <= 2 || s[i-2] != '\'') {
			// most words: ASCII, ending in a letter or digit that is no
			// possessive's s, so appendToken would trim nothing; the
			// token is built here, without its call and arguments
			var en lexEntry
			folded := lower[start:i]
			if lx != nil && (!w.digit || lx.table.digits) {
				en = lx.table.get(folded, w.hash)
			}
			c0 := s[start]
			dst = append(dst, token{start: start, end: i, folded: folded, upper: c0 >= 'A' && c0 <= 'Z', letters: !w.digit, lex: en.flags, topic: en.topic})
			continue
		}
		dst = appendToken(dst, s, lower, start, i, w.ascii, w.digit, w.hash, lx)
	}
}

// skipSeparators returns the index of the first byte of s from i on that
// can start a word (an ASCII letter or digit, or a byte of a multi-byte
// rune), or len(s): ' and - outside a word are separators too.
func skipSeparators(s string, i int) int {
	for i < len(s) {
		if c := byteClass[s[i]]; c != bOther && c != bJoin {
			break
		}
		i++
	}
	return i
}

// wordRead is what readWord finds.
type wordRead struct {
	end   int    // the first byte after the word
	hash  uint32 // FNV-1a of its lower-case bytes, for an ASCII word
	digit bool   // it has an ASCII digit
	ascii bool   // it has no rune beyond ASCII
}

// readWord reads the word that starts at s[i]: ASCII letters, digits, ' and
// -, and word runes, up to the first other byte.
func readWord(s string, i int) wordRead {
	w := wordRead{hash: fnvOffset, ascii: true}
	for {
		i, w.hash = hashLetters(s, i, w.hash)
		if i == len(s) {
			break
		}
		c := s[i]
		cls := byteClass[c]
		if cls == bOther {
			break
		}
		if cls == bHigh {
			r, n := utf8.DecodeRuneInString(s[i:])
			if !isWordRune(r) {
				break
			}
			w.ascii = false
			i += n
			continue
		}
		if cls == bDigit {
			w.digit = true
		}
		w.hash = (w.hash ^ uint32(c)) * fnvPrime // digits, ' and - are their own lower case
		i++
	}
	w.end = i
	return w
}

// hashLetters reads the ASCII letters of s from i and returns where they
// end, with the FNV hash h continued over their lower-case bytes. Most of a
// text is read here: a loop with few live values that the compiler keeps
// in registers.
func hashLetters(s string, i int, h uint32) (int, uint32) {
	for ; i < len(s); i++ {
		c := s[i]
		if byteClass[c] != bLetter {
			break
		}
		h = (h ^ uint32(lowerByte[c])) * fnvPrime
	}
	return i, h
}

// appendDigitRuns appends to runs the maximal runs of ASCII digits in
// s[start:end], a word.
func appendDigitRuns(runs [][2]int, s string, start, end int) [][2]int {
	for i := start; i < end; {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < end && isDigit(s[j]) {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return runs
}

// appendToken appends the word s[start:end], less a possessive 's and
// trailing apostrophes and hyphens. For an ASCII word, digit says whether
// it has a digit and h is the hash of its lower-case bytes up to end. The
// token is built in one literal: most words are ASCII, and the other path
// (appendRuneToken) is kept out of line.
func appendToken(dst []token, s, lower string, start, end int, ascii, digit bool, h uint32, lx *lexicon) []token {
	e := end
	if e-start > 2 && s[e-2] == '\'' && s[e-1]|0x20 == 's' {
		e -= 2
	}
	for e > start && (s[e-1] == '\'' || s[e-1] == '-') {
		e--
	}
	if e == start {
		return dst
	}
	if !ascii {
		return appendRuneToken(dst, s, start, e, digit, lx)
	}
	folded := lower[start:e]
	if e != end {
		h = fnvHash(folded)
	}
	var en lexEntry
	if lx != nil && (!digit || lx.table.digits) {
		en = lx.table.get(folded, h)
	}
	c := s[start]
	return append(dst, token{start: start, end: e, folded: folded, upper: c >= 'A' && c <= 'Z', letters: !digit, lex: en.flags, topic: en.topic})
}

// appendRuneToken is appendToken for a word s[start:end] (trimmed) with a
// rune beyond ASCII; digit says whether it has an ASCII digit.
func appendRuneToken(dst []token, s string, start, end int, digit bool, lx *lexicon) []token {
	w := s[start:end]
	t := token{start: start, end: end, folded: fold(w), letters: true}
	first, _ := utf8.DecodeRuneInString(w)
	t.upper = unicode.IsUpper(first)
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != '\'' && r != '-' {
			t.letters = false
			break
		}
	}
	if lx != nil && (!digit || lx.table.digits) {
		e := lx.table.get(t.folded, fnvHash(t.folded))
		t.lex, t.topic = e.flags, e.topic
	}
	return append(dst, t)
}

// FNV-1a, 32 bits: the hash of the lexicon table.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnvHash(s string) uint32 {
	h := uint32(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// lexTable is the lexicon's words as an open-addressing hash table, looked
// up with the hash the lexer computes as it reads a word: cheaper than a Go
// map, which would hash the word again. Most words of a ticket are not in
// it (numbers, ids, log fields): a bit per hash value's top 16 bits and the
// longest key turn them away without touching the table, which is larger
// than a core's first-level cache.
type lexTable struct {
	mask   uint32
	slots  []lexSlot
	maxLen int                   // the longest key
	digits bool                  // some key holds an ASCII digit
	seen   *[1 << 16 / 64]uint64 // bit h>>16 is set for every key's hash h
}

type lexSlot struct {
	hash uint32
	e    lexEntry
	key  string // "" for an empty slot
}

// newLexTable returns the table of the entries of m.
func newLexTable(m map[string]lexEntry) lexTable {
	n := 1
	for n < 2*len(m) {
		n <<= 1
	}
	t := lexTable{mask: uint32(n - 1), slots: make([]lexSlot, n), seen: new([1 << 16 / 64]uint64)}
	for k, e := range m {
		h := fnvHash(k)
		i := h & t.mask
		for t.slots[i].key != "" {
			i = (i + 1) & t.mask
		}
		t.slots[i] = lexSlot{hash: h, e: e, key: k}
		t.seen[h>>22] |= 1 << (h >> 16 & 63)
		t.maxLen = max(t.maxLen, len(k))
		t.digits = t.digits || strings.ContainsAny(k, "0123456789")
	}
	return t
}

// get returns the entry of key, whose hash is h; the zero entry when absent.
func (t *lexTable) get(key string, h uint32) lexEntry {
	if t.slots == nil || len(key) > t.maxLen || t.seen[h>>22]&(1<<(h>>16&63)) == 0 {
		return lexEntry{}
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.key == "" {
			return lexEntry{}
		}
		if sl.hash == h && sl.key == key {
			return sl.e
		}
	}
}

// asciiLower returns s with its ASCII letters in lower case, byte for byte.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
