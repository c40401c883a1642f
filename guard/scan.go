package guard

import (
	"regexp"
	"sort"
	"strings"
)

// scan runs regular expressions over only the parts of a text that can
// match them: Go's regexp has no literal prefilter for most of our
// patterns, so running thirty of them over every byte would cost more than
// all the rest of the guard. Patterns that need a digit run on the lines
// that hold one (and the line before, for two-line addresses); patterns that
// need a keyword run only when the keyword occurs.
type scan struct {
	text   string
	lower  string   // ASCII-lower-cased text, byte-aligned with text, for keyword tests
	digits [][2]int // windows around digit runs (32 bytes before, 48 after)
}

// Window sizes around a keyword, in bytes.
const (
	windowBefore = 96
	windowAfter  = 128
)

func newScan(text string) *scan {
	b := []byte(text)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	sc := &scan{text: text, lower: string(b)}
	var runs [][2]int
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= '0' && c <= '9' {
			j := i
			for j < len(text) && text[j] >= '0' && text[j] <= '9' {
				j++
			}
			runs = append(runs, [2]int{i, j})
			i = j
		}
	}
	sc.digits = sc.around(runs, 32, 48)
	return sc
}

// around widens each point range by before and after bytes and merges the
// overlaps, snapping the edges back to whitespace so that no word is cut.
func (sc *scan) around(points [][2]int, before, after int) [][2]int {
	var out [][2]int
	for _, p := range points {
		s, e := p[0]-before, p[1]+after
		if s < 0 {
			s = 0
		}
		if e > len(sc.text) {
			e = len(sc.text)
		}
		for k := 0; s > 0 && k < 32 && !isSpaceByte(sc.text[s-1]); k++ {
			s--
		}
		for s > 0 && !isSpaceByte(sc.text[s-1]) && !utf8RuneStart(sc.text[s]) {
			s--
		}
		for k := 0; e < len(sc.text) && k < 32 && !isSpaceByte(sc.text[e]); k++ {
			e++
		}
		for e < len(sc.text) && !utf8RuneStart(sc.text[e]) {
			e++
		}
		if n := len(out); n > 0 && s <= out[n-1][1] {
			if e > out[n-1][1] {
				out[n-1][1] = e
			}
			continue
		}
		out = append(out, [2]int{s, e})
	}
	return sc.split(out)
}

// maxWindow is the longest window searched in one go: Go's regexp uses a
// fast backtracker only on short inputs, so long windows are split at line
// breaks (patterns that span lines are rare and short).
const maxWindow = 2048

func (sc *scan) split(wins [][2]int) [][2]int {
	var out [][2]int
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

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func utf8RuneStart(c byte) bool { return c&0xC0 != 0x80 }

// has reports whether the text contains any of the lower-case keywords.
func (sc *scan) has(words ...string) bool {
	return hasAny(sc.lower, words...)
}

// all returns the submatch indexes of re over the whole text.
func (sc *scan) all(re *regexp.Regexp) [][]int {
	return re.FindAllStringSubmatchIndex(sc.text, -1)
}

// in returns the submatch indexes of re over the windows, as offsets into
// the text.
func (sc *scan) in(re *regexp.Regexp, wins [][2]int) [][]int {
	var out [][]int
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

// num returns the matches of re near digits.
func (sc *scan) num(re *regexp.Regexp) [][]int {
	return sc.in(re, sc.digits)
}

// when returns the matches of re near any of the lower-case keywords, and
// none when no keyword occurs.
func (sc *scan) when(re *regexp.Regexp, words ...string) [][]int {
	return sc.whenNear(re, windowBefore, windowAfter, words...)
}

// whenNear is when with the window's widening: before and after bytes
// around each keyword. Patterns that begin with their keyword need little
// room before it.
func (sc *scan) whenNear(re *regexp.Regexp, before, after int, words ...string) [][]int {
	var points [][2]int
	for _, w := range words {
		for i := 0; ; {
			j := strings.Index(sc.lower[i:], w)
			if j < 0 {
				break
			}
			points = append(points, [2]int{i + j, i + j + len(w)})
			i += j + len(w)
		}
	}
	if len(points) == 0 {
		return nil
	}
	sort.Slice(points, func(i, j int) bool { return points[i][0] < points[j][0] })
	return sc.in(re, sc.around(points, before, after))
}
