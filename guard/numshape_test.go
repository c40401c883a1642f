package guard

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The expressions the matchers of numshape.go stand for: their
// specification, and the detectors' patterns before the matchers.
var (
	reIPv4  = regexp.MustCompile(`\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b`)
	reCard  = regexp.MustCompile(`\b\d(?:[ -]?\d){11,18}\b`)
	reSSN   = regexp.MustCompile(`\b(\d{3})([- ]?)(\d{2})([- ]?)(\d{4})\b`)
	reUKNI  = regexp.MustCompile(`(?i)\b([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b`)
	rePhone = regexp.MustCompile(`(?:\+|\b00)?(?:\(\d{1,5}\)\s?)?\d{1,15}(?:(?:[ .\-/]|\s-\s)(?:\(\d{1,5}\)\s?)?\d{1,15}){0,7}(?:\s?(?:x|ext\.?|extension)\s?\d{1,6})?`)
	reIBAN  = regexp.MustCompile(`\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b`)
)

// numShapes pairs each hand-written matcher with the expression it stands
// for.
var numShapes = []struct {
	name string
	re   *regexp.Regexp
	at   *shape
}{
	{"phone", rePhone, phoneShape},
	{"card", reCard, cardShape},
	{"ssn", reSSN, ssnShape},
	{"ipv4", reIPv4, ipv4Shape},
	{"ukni", reUKNI, ukniShape},
	{"iban", reIBAN, ibanShape},
}

// allShapes returns the matches of at in s, as FindAllStringSubmatchIndex
// returns them.
func allShapes(s string, sh *shape) [][]int {
	out, _ := appendShapes(nil, nil, s, 0, sh)
	return out
}

// numShapeDiff fails when a matcher's matches on s differ from its
// expression's.
func numShapeDiff(t *testing.T, s string) {
	t.Helper()
	for _, p := range numShapes {
		want := p.re.FindAllStringSubmatchIndex(s, -1)
		got := allShapes(s, p.at)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("%s on %q: %v, want %v", p.name, s, got, want)
		}
	}
	// the shapes that start at digit runs find the same matches going from
	// run to run, in windows that start anywhere, mid-run too
	runs := lexRuns(s)
	for _, sh := range []*shape{cardShape, ssnShape, ipv4Shape} {
		for _, k := range []int{0, 1, 2, len(s) / 2} {
			if k > len(s) {
				continue
			}
			var in [][2]int
			for _, r := range runs {
				if r[1] > k {
					in = append(in, r)
				}
			}
			want, _ := appendShapes(nil, nil, s[k:], k, sh)
			got, _ := appendShapesAtRuns(nil, nil, s[k:], k, in, sh)
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("run walk on %q from %d: %v, want %v", s, k, got, want)
			}
		}
	}
	// phoneShape7 gives the expression's matches of seven digits or more
	var want7 [][]int
	for _, m := range rePhone.FindAllStringSubmatchIndex(s, -1) {
		if countDigits(s[m[0]:m[1]]) >= 7 {
			want7 = append(want7, m)
		}
	}
	if got := allShapes(s, phoneShape7); !slices.EqualFunc(got, want7, slices.Equal) {
		t.Fatalf("phone7 on %q: %v, want %v", s, got, want7)
	}
}

// lexRuns returns the maximal runs of ASCII digits of s, as the scan's
// lexer finds them.
func lexRuns(s string) [][2]int {
	_, runs := lexDigits(nil, nil, s, asciiLower(s), nil, true)
	return runs
}

// numShapeSeeds are edge cases of the patterns' shapes.
var numShapeSeeds = []string{
	"+1 (415) 555-2671 ext. 12", "0049 30 1234567", "a00 123 4567", "00(12)3", "555 - 1234", "555\t-\t1234",
	"(123456) 7", "(415)  555", "12345678901234567890 1", "555 x12", "555 extension 9", "555ext.4", "555 ex 4",
	"4111 1111 1111 1111", "4111-1111-1111-1111 1", "41111111111111111111", "4111 1111 1111 11111",
	"123-45-6789", "123 45 6789", "123456789", "1234-56-7890", "123-45-67890", "_123-45-6789",
	"10.0.0.1", "255.255.255.255", "256.1.1.1", "10.0.0.1000", "1.2.3.4.5", "01.02.03.04", "192.168.1.25x",
	"AB 12 34 56 C", "ab123456c", "QQ 12 34 56 A", "xK\u212aB 12 34 56 A", "\u017fA123456D", "AO123456B", "OA123456B",
	"AB 12 34 56 C_", "AB12 34 56 E",
	"DE89 3704 0044 0532 0130 00", "de89370400440532013000x", "GB82 WEST 1234 5698 7654 32", "xDE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00 1234 5678 9012 3456 7",
}

// TestNumShapesMatchRegexp compares the matchers with their expressions on
// the guard's test texts, edge cases and random strings over the bytes the
// patterns care about.
func TestNumShapesMatchRegexp(t *testing.T) {
	t.Parallel()
	texts := append(diffTexts(t), numShapeSeeds...)
	for _, s := range texts {
		numShapeDiff(t, s)
	}
	pieces := []string{"0", "1", "2", "5", "9", "00", "25", " ", "-", ".", "/", "(", ")", "+", "x", "ext", "ension", "\t", "\n",
		"A", "B", "k", "s", "O", "d", "_", "\u212a", "\u017f", "é", "\xe2", "123", "4567", "255", "1111",
		"AB", "12", "34", "C", "ZS", "DE89", "WEST ", "3704 ", "56 C", "AB 12 34 ", "AB 12 34 ", "192.168.", "123-45-", "4111 ", "1.1"}
	r := rand.New(rand.NewPCG(13, 4))
	matched := make([]int, len(numShapes))
	for range randomStrings(100_000) {
		var b []byte
		for range r.IntN(24) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		numShapeDiff(t, string(b))
		for k, p := range numShapes {
			if p.re.MatchString(string(b)) {
				matched[k]++
			}
		}
	}
	for k, p := range numShapes {
		if matched[k] < randomStrings(50) {
			t.Errorf("only %d random strings hold a %s match: the test proves little", matched[k], p.name)
		}
	}
	t.Logf("random strings with a match: %v", matched)
}

// diffTexts returns the texts the matchers are compared on: those of
// prefilterTexts and, except under -race (TestSpeedGolden checks them end
// to end there), the development set's threads.
func diffTexts(t *testing.T) []string {
	texts := prefilterTexts(t)
	if !raceOn {
		for _, tk := range devsetTickets(t) {
			texts = append(texts, threadText(tk))
		}
	}
	return texts
}

// randomStrings returns n, or a twentieth of it in a -race build.
func randomStrings(n int) int {
	if raceOn {
		return n / 20
	}
	return n
}

// randomJoin returns fewer than n pieces chosen at random, joined.
func randomJoin(r *rand.Rand, pieces []string, n int) string {
	var b strings.Builder
	for range r.IntN(n) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// FuzzNumShapes compares the matchers with their expressions on arbitrary
// text.
func FuzzNumShapes(f *testing.F) {
	for _, s := range numShapeSeeds {
		f.Add(s)
	}
	f.Fuzz(numShapeDiff)
}
