package builtin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The helpers below are the summariser's hot paths on plain ASCII text,
// with the general (Unicode) path kept as the fallback, so that each gives
// exactly the answer of the function it stands in for.

// isWordByte reports whether the ASCII byte c is kept by trimPunct.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '@' || c == '_'
}

// trimPunct trims punctuation and symbols around a word: it keeps letters,
// digits, '@' and '_' at both ends.
func trimPunct(w string) string {
	i := 0
	for ; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 {
			return trimPunctRunes(w)
		}
		if isWordByte(c) {
			break
		}
	}
	j := len(w)
	for ; j > i; j-- {
		c := w[j-1]
		if c >= 0x80 {
			return trimPunctRunes(w)
		}
		if isWordByte(c) {
			break
		}
	}
	return w[i:j]
}

// trimPunctRunes is trimPunct for text with runes outside ASCII.
func trimPunctRunes(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !isLetter(r) && !unicode.IsDigit(r) && r != '@' && r != '_' })
}

// inLower reports whether m holds the lowercase form of s, as
// m[strings.ToLower(s)] does, without allocating for ASCII words of up to
// 64 bytes.
func inLower(m map[string]bool, s string) bool {
	if len(m) == 0 {
		return false
	}
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || len(s) > 64 {
			return m[strings.ToLower(s)]
		}
		upper = upper || c >= 'A' && c <= 'Z'
	}
	if !upper {
		return m[s]
	}
	var buf [64]byte
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return m[string(b)]
}

// appendFields appends the words of s, as strings.Fields splits them, to
// words.
func appendFields(words []string, s string) []string {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if asciiSpace[c] {
				if start >= 0 {
					words = append(words, s[start:i])
					start = -1
				}
			} else if start < 0 {
				start = i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words
}

// asciiSpace holds the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// asciiLowerHead appends to buf the lowercase form of s's first cap(buf)
// bytes, or of all of s when shorter, and reports true; it reports false
// when those bytes are not all ASCII (whose lowering may change lengths).
func asciiLowerHead(s string, buf []byte) ([]byte, bool) {
	n := min(len(s), cap(buf)-len(buf))
	for i := 0; i < n; i++ {
		c := s[i]
		if c >= 0x80 {
			return nil, false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf, true
}

// keyShapes records the lowered first byte and the length of the keys of a
// word set, so that most words are rejected before inLower hashes them: a
// word whose first byte is ASCII starts no key unless a key starts with
// that byte lowered, and a plain-ASCII word keeps its length when lowered.
type keyShapes [utf8.RuneSelf]uint64 // per first byte, bit n: a key of n bytes (n < 64)

func newKeyShapes(m map[string]bool) *keyShapes {
	ks := new(keyShapes)
	for k := range m {
		ks.add(k)
	}
	return ks
}

// add records key k.
func (ks *keyShapes) add(k string) {
	if k == "" || k[0] >= utf8.RuneSelf {
		return // no plain-ASCII first byte lowers to a byte outside ASCII
	}
	ks[k[0]] |= 1 << min(len(k), 63) // 63 stands for every length from 63 up
}

// may reports whether w can lower to a recorded key; false is certain.
func (ks *keyShapes) may(w string) bool {
	if w == "" || w[0] >= utf8.RuneSelf {
		return true
	}
	c := w[0]
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	bits := ks[c]
	if bits == 0 {
		return false
	}
	if len(w) >= 63 || bits&(1<<len(w)) != 0 {
		return true
	}
	return !isPlainASCII(w) // lowering other runes may change the length
}

// inLowerShaped is inLower(m, s) for a set m whose keys ks records.
func inLowerShaped(m map[string]bool, ks *keyShapes, s string) bool {
	return ks.may(s) && inLower(m, s)
}

// toLower returns strings.ToLower(s). Where strings.ToLower maps text with
// any rune outside ASCII rune by rune through strings.Map, toLower lowers
// the ASCII bytes directly and looks up only the other runes.
func toLower(s string) string {
	var b strings.Builder // empty until the first byte that changes
	started := false
	start := func(i int) {
		b.Grow(len(s) + utf8.UTFMax)
		b.WriteString(s[:i])
		started = true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				if !started {
					start(i)
				}
				c += 'a' - 'A'
			}
			if started {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if l := unicode.ToLower(r); l != r || r == utf8.RuneError && n == 1 {
			// a changed rune, or a byte that is not UTF-8, which
			// strings.Map writes as U+FFFD
			if !started {
				start(i)
			}
			b.WriteRune(l)
		} else if started {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	if !started {
		return s
	}
	return b.String()
}
