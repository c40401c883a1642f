package guard

import (
	"cmp"
	"encoding/binary"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// scan runs regular expressions over only the parts of a text that can
// match them: Go's regexp has no literal prefilter for most of our
// patterns, so running thirty of them over every byte would cost more than
// all the rest of the guard. Patterns that need a digit run on the lines
// that hold one (and the line before, for two-line addresses); patterns that
// need a keyword run only when the keyword occurs.
type scan struct {
	text   string
	lower  string               // ASCII-lower-cased text, byte-aligned with text, for keyword tests: valid until release
	buf    []byte               // lower's bytes when text has capitals, reused across scans
	toks   []token              // the words, with their lexicon flags
	runs   [][2]int             // the digit runs
	digits [][2]int             // windows around digit runs (32 bytes before, 48 after)
	kw     []kwHit              // every declared keyword in lower, by end
	secKW  []kwHit              // every secret rule keyword in lower, by end (ids index secretRuleSet.words)
	flags  []bool               // backing store of bools
	phones map[phoneKey][2]bool // libphonenumber's answers for this text's numbers
	names  []span               // detectNames' spans, reused across scans
	// points and windows of inClusters and detectSecrets, reused: each
	// is consumed before the next call that fills it (aroundIn)
	pts, wins, cut [][2]int
	// the digit windows' slices, for aroundIn: digits is one of them
	digMerged, digCut [][2]int
	// output is set for a model's answer (Check with SourceOutput): the
	// phone detector then also keeps phone-shaped numbers that fail
	// validation (phoneLayout). Cleared by release.
	output bool
	// the digit clusters, computed on first use
	cl          []cluster
	clusterDone bool
}

// Window sizes around a keyword, in bytes.
const (
	windowBefore = 96
	windowAfter  = 128
)

// newScan prepares text for the detectors: its lower-case form, its words
// (looked up in lx, which may be nil) and the windows around its digits.
// It reuses the slices of a scan from pool, if any; release gives it back.
func newScan(text string, lx *lexicon, pool *sync.Pool) *scan {
	sc, _ := pool.Get().(*scan)
	if sc == nil {
		sc = &scan{}
	}
	sc.text, sc.lower = text, sc.lowerOf(text)
	sc.toks, sc.runs = lexDigits(sc.toks[:0], sc.runs[:0], text, sc.lower, lx, true)
	sc.digits = sc.aroundIn(&sc.digMerged, &sc.digCut, sc.runs, 32, 48)
	sc.kw, sc.secKW = keywordMatcher().find(sc.kw[:0], sc.secKW[:0], sc.lower)
	sc.cl, sc.clusterDone = sc.cl[:0], false
	return sc
}

// release clears the scan of every reference to its text (a ticket's
// personal data must not linger in a pool) and puts it back in pool.
func (sc *scan) release(pool *sync.Pool) {
	clear(sc.toks)
	clear(sc.flags)
	clear(sc.buf)
	clear(sc.phones)
	sc.text, sc.lower, sc.output = "", "", false
	sc.toks, sc.flags = sc.toks[:0], sc.flags[:0]
	pool.Put(sc)
}

// lowerOf returns text with its ASCII letters in lower case, byte for
// byte, as asciiLower does, but in the scan's reused buffer: nothing may
// keep a substring of it past release, which clears it.
func (sc *scan) lowerOf(text string) string {
	i := 0
	for i < len(text) && (text[i] < 'A' || text[i] > 'Z') {
		i++
	}
	if i == len(text) {
		return text
	}
	if cap(sc.buf) < len(text) {
		sc.buf = make([]byte, len(text))
	}
	b := sc.buf[:len(text)]
	copy(b, text)
	lowerASCII(b[i:])
	sc.buf = b
	return unsafe.String(&b[0], len(b))
}

// lowerASCII lower-cases the ASCII letters of b in place, eight bytes at a
// time: per byte, a letter A-Z gets 0x20 added and every other byte, those
// of multi-byte runes included, is left as it is (TestLowerASCII compares
// it with lowerByte).
func lowerASCII(b []byte) {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	j := 0
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		h := x &^ high // each byte's low seven bits: adding below cannot carry out of a byte
		geA := h + (0x80-'A')*ones
		gtZ := h + (0x80-'Z'-1)*ones
		upper := geA &^ gtZ &^ x & high // the high bit of each byte that is A-Z
		binary.LittleEndian.PutUint64(b[j:], x|upper>>2)
	}
	for ; j < len(b); j++ {
		b[j] = lowerByte[b[j]]
	}
}

// bools returns two zeroed slices of n bools, for per-token marks.
func (sc *scan) bools(n int) ([]bool, []bool) {
	if cap(sc.flags) < 2*n {
		sc.flags = make([]bool, 2*n)
	}
	sc.flags = sc.flags[:2*n]
	clear(sc.flags)
	return sc.flags[:n:n], sc.flags[n:]
}

// hasDigit reports whether text[a:b] holds a digit.
func (sc *scan) hasDigit(a, b int) bool {
	k := sort.Search(len(sc.runs), func(i int) bool { return sc.runs[i][1] > a })
	return k < len(sc.runs) && sc.runs[k][0] < b
}

// runsIn returns the digit runs that overlap text[a:b] (not clipped).
func (sc *scan) runsIn(a, b int) [][2]int {
	k := sort.Search(len(sc.runs), func(i int) bool { return sc.runs[i][1] > a })
	e := k
	for e < len(sc.runs) && sc.runs[e][0] < b {
		e++
	}
	return sc.runs[k:e]
}

// noPrefilters turns off the window conditions of keep, the name rules'
// word test (in detectNames) and the known e-mail addresses' search without
// offsets (asciiLowerFinds), for the differential tests that compare
// findings with and without them.
var noPrefilters bool

// keep returns the windows for which ok, a cheap necessary condition of a
// pattern, holds (all of them when ok is nil). It leaves wins as it is: the
// address detector passes the same street windows to two patterns.
func (sc *scan) keep(wins [][2]int, ok func(a, b int) bool) [][2]int {
	return sc.keepInto(nil, wins, ok)
}

// keepInto is keep appending the kept windows to kept, which may be wins[:0]
// (a window is written only after it has been read).
func (sc *scan) keepInto(kept, wins [][2]int, ok func(a, b int) bool) [][2]int {
	if ok == nil || noPrefilters {
		return wins
	}
	for _, w := range wins {
		if ok(w[0], w[1]) {
			kept = append(kept, w)
		}
	}
	return kept
}

// around widens each point range by before and after bytes and merges the
// overlaps, snapping the edges back to whitespace so that no word is cut.
// Snapping moves a start back and an end forward, and is monotonic: a
// later end never snaps to before an earlier one's. So a window's snapped
// end is that of the furthest unsnapped end it holds, and it is computed
// only when a point starts past that end (to see whether the point still
// reaches the window) and when the window closes, not for every point: the
// digit runs of a log line are dozens of points in one window.
func (sc *scan) around(points [][2]int, before, after int) [][2]int {
	return sc.split(nil, sc.merge(nil, points, before, after))
}

// aroundIn is around in two of the scan's slices, reused across checks:
// merged gets the merged windows and cut, when one of them is longer than
// maxWindow, the windows cut at line breaks. What it returns is one of the
// two, valid until the next call with them.
func (sc *scan) aroundIn(merged, cut *[][2]int, points [][2]int, before, after int) [][2]int {
	*merged = sc.merge((*merged)[:0], points, before, after)
	if !hasLong(*merged) {
		return *merged
	}
	*cut = sc.split((*cut)[:0], *merged)
	return *cut
}

// merge is around without cutting long windows (split): it appends the
// merged windows to out.
//
// The snapping loops read the text through a local and test white space
// in a table (spaceBytes): through sc, the text was loaded again for every
// byte stepped over.
func (sc *scan) merge(out, points [][2]int, before, after int) [][2]int {
	text := sc.text
	furthest := 0 // the furthest unsnapped end in the last window
	for _, p := range points {
		s, e := max(p[0]-before, 0), min(p[1]+after, len(text))
		n := len(out)
		if n > 0 && s <= furthest {
			furthest = max(furthest, e)
			continue
		}
		if n > 0 {
			out[n-1][1] = sc.snapEnd(furthest)
		}
		if n == 0 || s > out[n-1][1] {
			for lo := max(s-32, 0); s > lo && !spaceBytes[text[s-1]]; {
				s--
			}
			for s > 0 && !spaceBytes[text[s-1]] && !utf8RuneStart(text[s]) {
				s--
			}
		}
		if n > 0 && s <= out[n-1][1] {
			furthest = max(furthest, e)
			continue
		}
		furthest = e
		out = append(out, [2]int{s, e})
	}
	if n := len(out); n > 0 {
		out[n-1][1] = sc.snapEnd(furthest)
	}
	return out
}

// snapEnd moves a window's end forward to the next white space, at most 32
// bytes, and then to a rune's start.
func (sc *scan) snapEnd(e int) int {
	text := sc.text
	for hi := min(e+32, len(text)); e < hi && !spaceBytes[text[e]]; {
		e++
	}
	for e < len(text) && !utf8RuneStart(text[e]) {
		e++
	}
	return e
}

// maxWindow is the longest window searched in one go: Go's regexp uses a
// fast backtracker only on short inputs, so long windows are split at line
// breaks (patterns that span lines are rare and short).
const maxWindow = 2048

// split returns wins with each window longer than maxWindow cut at line
// breaks: wins itself when none is, otherwise the windows appended to out.
func (sc *scan) split(out, wins [][2]int) [][2]int {
	if !hasLong(wins) {
		return wins
	}
	for _, w := range wins {
		for w[1]-w[0] > maxWindow {
			cut := strings.LastIndexByte(sc.text[w[0]:w[0]+maxWindow], '\n')
			if cut <= 0 {
				break
			}
			out = append(out, [2]int{w[0], w[0] + cut})
			w[0] += cut
		}
		out = append(out, w)
	}
	return out
}

// hasLong reports whether a window of wins is longer than maxWindow.
func hasLong(wins [][2]int) bool {
	return slices.ContainsFunc(wins, func(w [2]int) bool { return w[1]-w[0] > maxWindow })
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// spaceBytes holds the bytes isSpaceByte accepts.
var spaceBytes = [256]bool{' ': true, '\n': true, '\t': true, '\r': true}

func utf8RuneStart(c byte) bool { return c&0xC0 != 0x80 }

// in returns the submatch indexes of re over the windows, as offsets into
// the text.
func (sc *scan) in(re *regexp.Regexp, wins [][2]int) [][]int {
	var out [][]int
	if a := anchors[re]; a != nil && !noAnchors {
		for _, b := range wins {
			out = a.appendAnchored(out, sc.text[b[0]:b[1]], b[0])
		}
		return out
	}
	for _, b := range wins {
		for _, m := range re.FindAllStringSubmatchIndex(sc.text[b[0]:b[1]], -1) {
			for k := range m {
				if m[k] >= 0 {
					m[k] += b[0]
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// numWhere returns the matches of re in the digit windows for which ok
// holds: a cheap necessary condition of the pattern, so that the regular
// expression runs only where it can match.
func (sc *scan) numWhere(re *regexp.Regexp, ok func(a, b int) bool) [][]int {
	var wins [][2]int
	for _, w := range sc.digits {
		if ok(w[0], w[1]) {
			wins = append(wins, w)
		}
	}
	return sc.in(re, wins)
}

// cluster is a group of digit runs joined by short separators (one to
// three of space - . / ( ) +), the shape of phone, card, social security
// and IP numbers: "+1 (415) 555-2671", "4111 1111 1111 1111", "10.0.0.1".
type cluster struct{ start, end, digits, runs int }

// clusters returns the text's digit clusters, computed once per scan.
func (sc *scan) clusters() []cluster {
	if sc.clusterDone {
		return sc.cl
	}
	sc.clusterDone = true
	cl := sc.cl[:0]
	for k := 0; k < len(sc.runs); {
		c := cluster{start: sc.runs[k][0], end: sc.runs[k][1], digits: sc.runs[k][1] - sc.runs[k][0], runs: 1}
		for k++; k < len(sc.runs); k++ {
			if !clusterGap(sc.text[c.end:sc.runs[k][0]]) {
				break
			}
			c.end = sc.runs[k][1]
			c.digits += sc.runs[k][1] - sc.runs[k][0]
			c.runs++
		}
		cl = append(cl, c)
	}
	sc.cl = cl
	return cl
}

// clusterGap reports whether gap can join two digit runs of a cluster: one
// to three of space - . / ( ) +.
func clusterGap(gap string) bool {
	if len(gap) > 3 {
		return false
	}
	for i := 0; i < len(gap); i++ {
		switch gap[i] {
		case ' ', '-', '.', '/', '(', ')', '+':
		default:
			return false
		}
	}
	return true
}

// inClusters returns the matches of a number pattern (its hand-written
// matcher, sh) in windows around the digit clusters with at least
// minDigits digits in at least minRuns runs: before and after bytes around
// each, merged. A number pattern runs only around numbers long enough to be
// what it finds.
//
// ok, when not nil, is a cheap necessary condition for a match in a window
// (see keep): the windows for which it fails are left out.
//
// Its points and windows live in the scan's reused slices (pts, wins).
func (sc *scan) inClusters(sh *shape, before, after, minDigits, minRuns int, ok func(a, b int) bool) [][]int {
	points := sc.pts[:0]
	for _, c := range sc.clusters() {
		if c.digits >= minDigits && c.runs >= minRuns {
			points = append(points, [2]int{c.start, c.end})
		}
	}
	sc.pts = points
	wins := sc.aroundIn(&sc.wins, &sc.cut, points, before, after)
	return sc.inShape(sh, sc.keepInto(wins[:0], wins, ok))
}

// hasRun reports whether text[a:b] holds a run of n bytes (n > 0) of the
// set. It tests the last byte of each place a run could be first: when that
// byte is not in the set, no run holding it can be there either.
func (sc *scan) hasRun(a, b, n int, set *[256]bool) bool {
	for i := a; i+n <= b; {
		j := i + n - 1
		for j >= i && set[sc.text[j]] {
			j--
		}
		if j < i {
			return true
		}
		i = j + 1
	}
	return false
}

// Byte sets for hasRun.
var upperBytes, upperOrDigitBytes = func() (u, ud [256]bool) {
	for c := 0; c < 256; c++ {
		u[c] = isUpper(byte(c))
		ud[c] = u[c] || isDigit(byte(c))
	}
	return u, ud
}()

// when returns the matches of re near any keyword of the set, and none
// when no keyword occurs.
func (sc *scan) when(re *regexp.Regexp, set *kwSet) [][]int {
	return sc.in(re, sc.near(set, windowBefore, windowAfter))
}

// whenNear is when with the window's widening: before and after bytes
// around each keyword. Patterns that begin with their keyword need little
// room before it.
func (sc *scan) whenNear(re *regexp.Regexp, before, after int, set *kwSet) [][]int {
	return sc.in(re, sc.near(set, before, after))
}

// whenDigits is whenNear for patterns that need a digit: windows without
// one are skipped.
func (sc *scan) whenDigits(re *regexp.Regexp, before, after int, set *kwSet) [][]int {
	return sc.in(re, sc.digitWindows(before, after, set))
}

// digitWindows returns the windows of whenDigits.
func (sc *scan) digitWindows(before, after int, set *kwSet) [][2]int {
	wins := sc.near(set, before, after)
	kept := wins[:0]
	for _, w := range wins {
		if sc.hasDigit(w[0], w[1]) {
			kept = append(kept, w)
		}
	}
	return kept
}

// near returns the windows around the keywords of the set: before and after
// bytes around each, merged.
func (sc *scan) near(set *kwSet, before, after int) [][2]int {
	return sc.nearIf(set, before, after, nil)
}

// nearIf is near for the keywords that pass pre (all when pre is nil).
func (sc *scan) nearIf(set *kwSet, before, after int, pre func(lower string, start, end int) bool) [][2]int {
	var points [][2]int
	for _, h := range sc.kw {
		if set.has(h.id) {
			p := [2]int{int(h.start), int(h.start) + len(keywordMatcher().words[h.id])}
			if pre == nil || pre(sc.lower, p[0], p[1]) {
				points = append(points, p)
			}
		}
	}
	if len(points) == 0 {
		return nil
	}
	slices.SortFunc(points, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	return sc.around(points, before, after)
}

// tokenWindows returns, around each keyword of the set, the run of bytes
// for which left holds before it and right holds after it (nil: none), one
// byte wider on each side for \b: the exact extent of an email address
// around its @ or of a URL from its scheme, so that the pattern runs on
// that and nothing more.
func (sc *scan) tokenWindows(set *kwSet, left, right *[256]bool) [][2]int {
	var out [][2]int
	for _, h := range sc.kw {
		if !set.has(h.id) {
			continue
		}
		s, e := int(h.start), int(h.start)+len(keywordMatcher().words[h.id])
		for left != nil && s > 0 && left[sc.text[s-1]] {
			s--
		}
		for right != nil && e < len(sc.text) && right[sc.text[e]] {
			e++
		}
		s, e = max(s-1, 0), min(e+1, len(sc.text))
		for s > 0 && !utf8RuneStart(sc.text[s]) {
			s--
		}
		for e < len(sc.text) && !utf8RuneStart(sc.text[e]) {
			e++
		}
		if n := len(out); n > 0 && s <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], e)
			continue
		}
		out = append(out, [2]int{s, e})
	}
	return out
}

// lineWindows returns, for patterns anchored at a line start, windows from
// the start of each line that holds a keyword of the set (that passes pre,
// when set) to after bytes past the keyword.
func (sc *scan) lineWindows(set *kwSet, after int, pre func(lower string, start, end int) bool) [][2]int {
	var points [][2]int
	for _, h := range sc.kw {
		if set.has(h.id) && (pre == nil || pre(sc.lower, int(h.start), int(h.start)+len(keywordMatcher().words[h.id]))) {
			s := strings.LastIndexByte(sc.text[:h.start], '\n') + 1
			points = append(points, [2]int{s, int(h.start)})
		}
	}
	if len(points) == 0 {
		return nil
	}
	slices.SortFunc(points, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	var out [][2]int
	for _, p := range points {
		e := min(p[1]+after, len(sc.text))
		for e < len(sc.text) && !utf8RuneStart(sc.text[e]) {
			e++
		}
		if n := len(out); n > 0 && p[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], e)
			continue
		}
		out = append(out, [2]int{p[0], e})
	}
	return sc.split(nil, out)
}
