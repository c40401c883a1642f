package guard

import "sort"

// Hand-written matchers for the number patterns that run around every digit
// cluster (rePhone, reCard, reSSN, reIPv4, reUKNI). Go's regexp runs them
// with its backtracker or, on longer windows, its NFA, at a few hundred
// nanoseconds per byte; these walk the bytes once. Each gives exactly the
// matches of its expression, which stays the specification:
// TestNumShapesMatchRegexp and FuzzNumShapes compare them on every text
// and on arbitrary input.

// shapeMatcher returns the submatch indexes of a pattern's match starting at
// s[i], as regexp's leftmost-first semantics choose it; none (n == 0) when
// the pattern does not match there.
type shapeMatcher func(s string, i int) shapeMatch

// shape is a hand-written matcher with the bytes its matches can start
// with, so that the others are skipped without a call.
type shape struct {
	first [256]bool
	at    shapeMatcher
	// wordStart: a match that starts on a word byte starts at \b, so no
	// match starts inside a run of word bytes after its first
	wordStart bool
	// minDigits: matches with fewer digits are left out (the walk still
	// resumes after them), for a detector that would drop them
	minDigits int
	// atRuns: a wordStart shape whose matches start with an ASCII digit,
	// which then starts a digit run or the window (appendShapesAtRuns)
	atRuns bool
}

// newShape returns the shape of at, whose matches start with a byte of
// starts.
func newShape(starts string, at shapeMatcher) *shape {
	sh := &shape{at: at}
	for i := 0; i < len(starts); i++ {
		sh.first[starts[i]] = true
	}
	return sh
}

const (
	digitBytes  = "0123456789"
	letterBytes = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// newWordShape is newShape for a pattern whose matches that start on a word
// byte (isWordByte) start at \b: after a byte that is not one.
func newWordShape(starts string, at shapeMatcher) *shape {
	sh := newShape(starts, at)
	sh.wordStart = true
	sh.atRuns = starts == digitBytes
	return sh
}

// The number shapes. A UK NI number may start with the Kelvin sign or the
// long s, whose first bytes are 0xE2 and 0xC5.
var (
	phoneShape = newShape("+("+digitBytes, matchPhone)
	cardShape  = newWordShape(digitBytes, matchCard)
	ssnShape   = newWordShape(digitBytes, matchSSN)
	ipv4Shape  = newWordShape(digitBytes, matchIPv4)
	ukniShape  = newWordShape(letterBytes+"\xe2\xc5", matchUKNI)
)

// shapeMatch is a match's submatch indexes, as regexp gives them: the first
// n of idx, -1 for a group that took no part.
type shapeMatch struct {
	n   int
	idx [12]int
}

// matched returns the match with these indexes.
func matched(idx ...int) (m shapeMatch) {
	m.n = copy(m.idx[:], idx)
	return m
}

// appendShapes appends to out what regexp's FindAllStringSubmatchIndex(s,
// -1) returns for the pattern that sh matches, with base added to every
// index; the indexes are stored in arena, returned grown. A match can only
// start on an ASCII byte or a rune's first byte, so stepping byte by byte
// visits the positions regexp visits; no pattern matches empty. For a
// wordStart shape, the rest of a run of word bytes is skipped after its
// first: \b does not hold inside it.
func appendShapes(out [][]int, arena []int, s string, base int, sh *shape) ([][]int, []int) {
	for i := 0; ; {
		i = nextFirst(s, i, &sh.first)
		if i == len(s) {
			break
		}
		c := s[i]
		m := sh.at(s, i)
		if m.n == 0 {
			i++
			if sh.wordStart && isWordByte(c) {
				for i < len(s) && isWordByte(s[i]) {
					i++
				}
			}
			continue
		}
		i = m.idx[1]
		if m.idx[1]-m.idx[0] < sh.minDigits {
			continue // fewer bytes than the digits it needs ("22" of "10:22:33"): appendMatch would count and drop it
		}
		out, arena = appendMatch(out, arena, s, base, sh, m)
	}
	return out, arena
}

// appendMatch appends m, a match of sh in s, with base added to its
// indexes, unless it has fewer digits than sh.minDigits.
func appendMatch(out [][]int, arena []int, s string, base int, sh *shape, m shapeMatch) ([][]int, []int) {
	if sh.minDigits > 0 && countDigits(s[m.idx[0]:m.idx[1]]) < sh.minDigits {
		return out, arena
	}
	for k := range m.n {
		if m.idx[k] >= 0 {
			m.idx[k] += base
		}
	}
	arena = append(arena, m.idx[:m.n]...)
	return append(out, arena[len(arena)-m.n:len(arena):len(arena)]), arena
}

// appendShapesAtRuns is appendShapes for an atRuns shape, with runs the
// text's maximal digit runs that overlap s = text[base:base+len(s)]. Such
// a match starts at a digit at \b, which is where a run starts or, when a
// run holds s's first byte, at s[0]: the walk goes from run to run, not
// byte by byte, and asks the matcher at the same places appendShapes finds
// a match (TestNumShapesMatchRegexp compares the two).
func appendShapesAtRuns(out [][]int, arena []int, s string, base int, runs [][2]int, sh *shape) ([][]int, []int) {
	i := 0 // where the last match ended: no match starts before it
	for _, r := range runs {
		p := max(r[0]-base, 0)
		if p < i || p > 0 && isWordByte(s[p-1]) {
			continue
		}
		if m := sh.at(s, p); m.n > 0 {
			i = m.idx[1]
			out, arena = appendMatch(out, arena, s, base, sh, m)
		}
	}
	return out, arena
}

// nextFirst returns the index of the first byte of s from i on that first
// holds, or len(s). It is appendShapes' walk over the bytes no match starts
// with (most of a window), kept apart so that the loop has its few values
// in registers: inlined into the matcher's loop, it spilled and reloaded
// the loop's other values on every byte.
func nextFirst(s string, i int, first *[256]bool) int {
	for i < len(s) && !first[s[i]] {
		i++
	}
	return i
}

// inShape is scan.in for a hand-written matcher.
func (sc *scan) inShape(sh *shape, wins [][2]int) [][]int {
	var out [][]int
	var arena []int
	for _, w := range wins {
		if sh.atRuns {
			out, arena = appendShapesAtRuns(out, arena, sc.text[w[0]:w[1]], w[0], sc.runsIn(w[0], w[1]), sh)
			continue
		}
		out, arena = appendShapes(out, arena, sc.text[w[0]:w[1]], w[0], sh)
	}
	return out
}

// isWordByte reports whether c is a word character as \b means it (ASCII
// letters, digits, underscore; every other rune is not one).
func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_'
}

// boundary reports whether \b holds at s[i].
func boundary(s string, i int) bool {
	return (i > 0 && isWordByte(s[i-1])) != (i < len(s) && isWordByte(s[i]))
}

// digitsAt returns how many digits, at most n, start at s[i].
func digitsAt(s string, i, n int) int {
	k := 0
	for k < n && i+k < len(s) && isDigit(s[i+k]) {
		k++
	}
	return k
}

// isSpaceRE2 reports whether c is in \s: [\t\n\f\r ].
func isSpaceRE2(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// phoneParen returns the ends of (?:\(\d{1,5}\)\s?) at s[i], in the order
// regexp tries them (with the space first), or none.
func phoneParen(s string, i int) (ends [2]int, n int) {
	if i >= len(s) || s[i] != '(' {
		return ends, 0
	}
	k := digitsAt(s, i+1, 6)
	if k < 1 || k > 5 || i+1+k >= len(s) || s[i+1+k] != ')' {
		return ends, 0
	}
	e := i + 2 + k
	if e < len(s) && isSpaceRE2(s[e]) {
		ends[n] = e + 1
		n++
	}
	ends[n] = e
	return ends, n + 1
}

// phoneGroup matches (?:\(\d{1,5}\)\s?)?\d{1,15} at s[i]: the first of the
// optional parenthesised group's choices after which a digit follows, then
// the digits, as many as 15. It returns the end, or -1.
func phoneGroup(s string, i int) int {
	ends, n := phoneParen(s, i)
	for k := 0; k < n; k++ {
		if d := digitsAt(s, ends[k], 15); d > 0 {
			return ends[k] + d
		}
	}
	if d := digitsAt(s, i, 15); d > 0 {
		return i + d
	}
	return -1
}

// matchPhone is rePhone at s[i]:
// (?:\+|\b00)?(?:\(\d{1,5}\)\s?)?\d{1,15}(?:(?:[ .\-/]|\s-\s)(?:\(\d{1,5}\)\s?)?\d{1,15}){0,7}(?:\s?(?:x|ext\.?|extension)\s?\d{1,6})?
// Everything after the first digits is optional, so each greedy choice
// that lets its own part match is the one regexp keeps.
func matchPhone(s string, i int) shapeMatch {
	// Most calls are at a plain number that nothing can extend ("10" in
	// "10:22"): no + or 00 prefix, no parenthesis, and no separator, white
	// space or extension word after its digits.
	if c := s[i]; c >= '1' && c <= '9' || c == '0' && (i+1 == len(s) || s[i+1] != '0') {
		if e := i + digitsAt(s, i, 15); e == len(s) || !phoneGoesOn[s[e]] {
			return shapeMatch{n: 2, idx: [12]int{i, e}}
		}
	}
	e := -1
	switch {
	case s[i] == '+':
		e = phoneGroup(s, i+1)
	case s[i] == '0' && i+1 < len(s) && s[i+1] == '0' && boundary(s, i):
		e = phoneGroup(s, i+2)
	}
	if e < 0 {
		e = phoneGroup(s, i)
	}
	if e < 0 {
		return shapeMatch{}
	}
	for range 7 {
		next := -1
		if e < len(s) && (s[e] == ' ' || s[e] == '.' || s[e] == '-' || s[e] == '/') {
			next = phoneGroup(s, e+1)
		}
		if next < 0 && e+2 < len(s) && isSpaceRE2(s[e]) && s[e+1] == '-' && isSpaceRE2(s[e+2]) {
			next = phoneGroup(s, e+3)
		}
		if next < 0 {
			break
		}
		e = next
	}
	if x := phoneExt(s, e); x > 0 {
		e = x
	}
	return matched(i, e)
}

// phoneGoesOn holds the bytes after a number at which rePhone can go on:
// a group separator, white space (before " - " or an extension) and the
// first letters of the extension words.
var phoneGoesOn = func() (t [256]bool) {
	for _, c := range []byte(" .-/\t\n\f\rxe") {
		t[c] = true
	}
	return t
}()

// phoneExt matches (?:\s?(?:x|ext\.?|extension)\s?\d{1,6}) at s[i] and
// returns its end, or -1.
func phoneExt(s string, i int) int {
	if i >= len(s) || s[i] != 'x' && s[i] != 'e' && !isSpaceRE2(s[i]) {
		return -1 // every word starts with x or e, after at most one space
	}
	starts := [2]int{i, -1}
	if i < len(s) && isSpaceRE2(s[i]) {
		starts = [2]int{i + 1, i}
	}
	for _, p := range starts {
		if p < 0 {
			continue
		}
		var words [4]int // ends of x, ext., ext, extension, in regexp's order
		n := 0
		if hasPrefixAt(s, p, "x") {
			words[n] = p + 1
			n++
		}
		if hasPrefixAt(s, p, "ext.") {
			words[n] = p + 4
			n++
		}
		if hasPrefixAt(s, p, "ext") {
			words[n] = p + 3
			n++
		}
		if hasPrefixAt(s, p, "extension") {
			words[n] = p + 9
			n++
		}
		for _, w := range words[:n] {
			if w < len(s) && isSpaceRE2(s[w]) {
				if d := digitsAt(s, w+1, 6); d > 0 {
					return w + 1 + d
				}
			}
			if d := digitsAt(s, w, 6); d > 0 {
				return w + d
			}
		}
	}
	return -1
}

func hasPrefixAt(s string, i int, p string) bool {
	return len(s)-i >= len(p) && s[i:i+len(p)] == p
}

// matchCard is reCard at s[i]: \b\d(?:[ -]?\d){11,18}\b.
func matchCard(s string, i int) shapeMatch {
	if !isDigit(s[i]) || !boundary(s, i) {
		return shapeMatch{}
	}
	return repeatToBoundary(s, i, i+1, 11, 18, isDigit, func(c byte) bool { return c == ' ' || c == '-' })
}

// repeatToBoundary matches (?:S?U){lo,hi}\b at s[e], for a match that
// began at s[i], where U is a byte for which unit holds and S one for which
// sep does (hi at most 30). Each repetition has at most one way to match
// (the byte there is a unit or a separator), so the match is the longest
// chain of lo to hi that ends on a word boundary.
func repeatToBoundary(s string, i, e, lo, hi int, unit, sep func(byte) bool) shapeMatch {
	var ends [30]int
	n := 0
	for n < hi {
		switch {
		case e < len(s) && unit(s[e]):
			e++
		case e+1 < len(s) && sep(s[e]) && unit(s[e+1]):
			e += 2
		default:
			goto done
		}
		ends[n] = e
		n++
	}
done:
	for k := n - 1; k >= lo-1; k-- {
		if boundary(s, ends[k]) {
			return matched(i, ends[k])
		}
	}
	return shapeMatch{}
}

// matchSSN is reSSN at s[i]: \b(\d{3})([- ]?)(\d{2})([- ]?)(\d{4})\b, with
// its groups. Each optional separator has one way to match: the byte there
// is a separator or must be a digit.
func matchSSN(s string, i int) shapeMatch {
	if !isDigit(s[i]) || !boundary(s, i) || digitsAt(s, i, 3) != 3 {
		return shapeMatch{}
	}
	p := i + 3
	sep1 := p
	if p < len(s) && (s[p] == '-' || s[p] == ' ') {
		p++
	}
	end1 := p
	if digitsAt(s, p, 2) != 2 {
		return shapeMatch{}
	}
	group := p
	p += 2
	sep2 := p
	if p < len(s) && (s[p] == '-' || s[p] == ' ') {
		p++
	}
	end2 := p
	if digitsAt(s, p, 4) != 4 || !boundary(s, p+4) {
		return shapeMatch{}
	}
	return matched(i, p+4, i, i+3, sep1, end1, group, group+2, sep2, end2, p, p+4)
}

// ipOctet returns the ends of (?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d) at s[i]
// in regexp's order, which is longest first.
func ipOctet(s string, i int) (ends [3]int, n int) {
	d := digitsAt(s, i, 3)
	if d == 3 && (s[i] == '1' || s[i] == '2' && (s[i+1] <= '4' || s[i+1] == '5' && s[i+2] <= '5')) {
		ends[n] = i + 3
		n++
	}
	if d >= 2 && s[i] != '0' {
		ends[n] = i + 2
		n++
	}
	if d >= 1 {
		ends[n] = i + 1
		n++
	}
	return ends, n
}

// ipFrom matches the octets from the k-th on at s[i], backtracking over
// each octet's lengths as regexp does, and returns the end or -1.
func ipFrom(s string, i, k int) int {
	ends, n := ipOctet(s, i)
	for _, e := range ends[:n] {
		if k == 3 {
			if boundary(s, e) {
				return e
			}
		} else if e < len(s) && s[e] == '.' {
			if r := ipFrom(s, e+1, k+1); r >= 0 {
				return r
			}
		}
	}
	return -1
}

// matchIPv4 is reIPv4 at s[i]: four dotted octets of 0-255 between word
// boundaries.
func matchIPv4(s string, i int) shapeMatch {
	if !isDigit(s[i]) || !boundary(s, i) {
		return shapeMatch{}
	}
	if e := ipFrom(s, i, 0); e >= 0 {
		return matched(i, e)
	}
	return shapeMatch{}
}

// ukniLetter returns the width of the letter at s[i] if it is in the
// case-insensitive class of a National Insurance number's first (second
// false) or second letter, or 0. Case folding adds the Kelvin sign (K)
// and the long s (S), as it does in regexp.
func ukniLetter(s string, i int, second bool) int {
	c := s[i]
	switch {
	case c|0x20 >= 'a' && c|0x20 <= 'z':
		switch c | 0x20 {
		case 'd', 'f', 'i', 'q', 'u', 'v':
			return 0
		case 'o':
			if second {
				return 0
			}
		}
		return 1
	case hasPrefixAt(s, i, "\u212a"):
		return 3
	case hasPrefixAt(s, i, "\u017f"):
		return 2
	}
	return 0
}

// mayUKNI is a necessary condition for ukniShape to match in text[a:b]: a
// digit run that starts there after the two letters (and a space) with the
// rest of the number after it, "12 34 56 C" or "123456C", read in text. The
// digits of a match start a run (a letter or a space is before them), so
// the windows of log timestamps ("2026-12-03T10:22:33", clusters of eight
// digits) are left out.
func (sc *scan) mayUKNI(a, b int) bool {
	t, runs := sc.text, sc.runs
	// the runs that start in the window, read once (runsIn would read
	// them twice)
	for k := sort.Search(len(runs), func(i int) bool { return runs[i][0] >= a }); k < len(runs) && runs[k][0] < b; k++ {
		r := runs[k]
		// the run holds one, two or three pairs, and a space or the
		// letter follows it: most runs fail here without a call
		if n := r[1] - r[0]; n != 2 && n != 4 && n != 6 || r[1] == len(t) || t[r[1]] != ' ' && (t[r[1]]|0x20 < 'a' || t[r[1]]|0x20 > 'd') {
			continue
		}
		if ukniDigits(t, r[0]) {
			return true
		}
	}
	return false
}

// ukniDigits reports whether \d{2} ?\d{2} ?\d{2} ?[A-D] (case-insensitive)
// matches at s[p].
func ukniDigits(s string, p int) bool {
	for k := range 3 {
		if k > 0 && p < len(s) && s[p] == ' ' {
			p++
		}
		if digitsAt(s, p, 2) != 2 {
			return false
		}
		p += 2
	}
	if p < len(s) && s[p] == ' ' {
		p++
	}
	return p < len(s) && s[p]|0x20 >= 'a' && s[p]|0x20 <= 'd'
}

// matchUKNI is reUKNI at s[i]:
// (?i)\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b
func matchUKNI(s string, i int) shapeMatch {
	if !boundary(s, i) {
		return shapeMatch{}
	}
	w1 := ukniLetter(s, i, false)
	if w1 == 0 || i+w1 >= len(s) {
		return shapeMatch{}
	}
	w2 := ukniLetter(s, i+w1, true)
	if w2 == 0 {
		return shapeMatch{}
	}
	p := i + w1 + w2
	for range 3 {
		if p < len(s) && s[p] == ' ' {
			p++
		}
		if digitsAt(s, p, 2) != 2 {
			return shapeMatch{}
		}
		p += 2
	}
	if p < len(s) && s[p] == ' ' {
		p++
	}
	if p >= len(s) || s[p]|0x20 < 'a' || s[p]|0x20 > 'd' || !boundary(s, p+1) {
		return shapeMatch{}
	}
	return matched(i, p+1, i, i+w1+w2)
}

// matchIBAN is reIBAN at s[i]: \b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b.
func matchIBAN(s string, i int) shapeMatch {
	if i+4 > len(s) || !isLetterASCII(s[i]) || !isLetterASCII(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) || !boundary(s, i) {
		return shapeMatch{}
	}
	return repeatToBoundary(s, i, i+4, 11, 30, isAlnumASCII, func(c byte) bool { return c == ' ' })
}

func isAlnumASCII(c byte) bool { return isLetterASCII(c) || isDigit(c) }

var ibanShape = newWordShape(letterBytes, matchIBAN)
