package guard

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

// The expressions the word matchers stand for: their specification, and
// the detectors' patterns before the matchers.
var (
	reAddrLower = regexp.MustCompile(`(?i:\b(?:address(?: is| was| to| on file)?:?|lives? at|living at|located at|moved to|ship(?:ped)? to|deliver(?:ed)? to|send it to|sent to|mail(?:ed)? to)[ ]{1,2})(\d{1,6}[a-z]?(?:[ ]{1,2}[a-z][a-z.'’-]*){1,4}[ ]{1,2}(?:st|rd|ave|av|blvd|ln|dr|ct|pl|way|hwy|pkwy|ter|cir)\b\.?)`)
	reAge       = regexp.MustCompile(`(?i)\b(?:(\d{1,3})[- ](?:years?|yrs?)[- ]old|(?:aged?|age is|age:|age of)\s*(\d{1,3})\b|(?:i am|i'm|turned|turning|turn|when (?:he|she|i) was)\s+(\d{1,3})\b\s*(?:years|yrs|y/o|yo|now|and|,|\.|$))`)
)

// textShapes pairs each hand-written word matcher with its expression.
func textShapes() []struct {
	name string
	re   *regexp.Regexp
	at   *shape
} {
	shapes := []struct {
		name string
		re   *regexp.Regexp
		at   *shape
	}{{"age", reAge, ageShape}, {"addrLower", reAddrLower, addrLowerShape}}
	for _, p := range attackPatterns {
		if p.at != nil {
			shapes = append(shapes, struct {
				name string
				re   *regexp.Regexp
				at   *shape
			}{p.name, p.re, p.at})
		}
	}
	return shapes
}

// textShapeDiff fails when a matcher's matches on s differ from its
// expression's.
func textShapeDiff(t *testing.T, s string) {
	t.Helper()
	for _, p := range textShapes() {
		want := p.re.FindAllStringSubmatchIndex(s, -1)
		got := allShapes(s, p.at)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("%s on %q: %v, want %v", p.name, s, got, want)
		}
	}
}

var textShapeSeeds = []string{
	"I am 42 years old", "a 7-year-old", "30 yrs old", "aged 81", "AGE: 3", "age of 12", "Age is  40", "age 1000", "age 30s",
	"i'm 29.", "turning 40 soon", "turned 9,", "turn 18 now", "when she was 6", "When I Was 12 yo", "I AM 12", "I am 42",
	"page 12", "ſhe", "when ſhe was 5 yrſ", "5 YEARS-OLD", "5 yr old", "5 yeaRS older",
	"</ticket>", "< / system >", "<USER>", "<instructions >", "<instruction>", "</ai>", "<aim>", "<\u212aicket>", "<data\n>", "<<system>>",
	"address: 12 main st", "ADDRESS IS  221b baker st.", "lives at 5 elm ln", "shipped to 12 o’neil rd", "sent to 1234567 oak st",
	"address on file: 9 a b c d st", "address on file: 9 a b c d e st", "mail to 3 main street", "ſhip to 4 x way", "moved to 7 st st",
}

// TestTextShapesMatchRegexp compares the word matchers with their
// expressions on the guard's test texts, the development set, edge cases
// and random strings over the pieces the patterns are made of.
func TestTextShapesMatchRegexp(t *testing.T) {
	t.Parallel()
	texts := append(diffTexts(t), textShapeSeeds...)
	for _, s := range texts {
		textShapeDiff(t, s)
	}
	pieces := []string{"1", "12", "123", "4", " ", "  ", "\t", "\n", "-", "/", ":", ",", ".", "'", "_", "x", "<", ">", "</",
		"year", "years", "yr", "yrs", "s", "S", "ſ", "old", "age", "AGE", "d", "is", "of", "i am", "i'm", "turn", "ed", "ing",
		"when", "he", "she", "i", "was", "y/o", "yo", "now", "and", "ticket", "\u212a", "system", "user", "instruction",
		"ai", "data", "message", "é", "\xe2", "<", "</", "< ", ">", " >",
		"address", "address ", "address: ", "lives at ", "ship to ", "sent to ", "mailed to ", " on file", "main", "o’neil", "st", "st.", "rd", "ave", "av", "way", "pkwy", "cir", "ter", "a", "b", "x.y", "12b", "99999"}
	r := rand.New(rand.NewPCG(13, 5))
	shapes := textShapes()
	matched := make([]int, len(shapes))
	for range randomStrings(100_000) {
		var b []byte
		for range r.IntN(16) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		textShapeDiff(t, string(b))
		for k, p := range shapes {
			if p.re.MatchString(string(b)) {
				matched[k]++
			}
		}
	}
	// addresses after a cue, built piece by piece with near misses
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	for range randomStrings(10_000) {
		b := pick("", "x", "_", " ", "é") + pick(addrCues...) + pick("", " ", "  ", "   ", ":", " :")
		b += pick("", "1", "12", "123456", "1234567", "12b", "12B") + pick("", "x")
		for range r.IntN(6) {
			b += pick(" ", "  ", "   ", "") + pick("main", "o’neil", "st", "x.y", "A", "b-c", "rd", "9", "ave")
		}
		b += pick(" ", "  ", "") + pick(streetTypes...) + pick("", ".", "s", " ", "_", "’", "é", "\n")
		textShapeDiff(t, b)
		for k, p := range shapes {
			if p.re.MatchString(b) {
				matched[k]++
			}
		}
	}
	for k, p := range shapes {
		if matched[k] < randomStrings(50) {
			t.Errorf("only %d random strings hold a %s match: the test proves little", matched[k], p.name)
		}
	}
	t.Logf("random strings with a match: %v", matched)
}

// FuzzTextShapes compares the word matchers with their expressions on
// arbitrary text.
func FuzzTextShapes(f *testing.F) {
	for _, s := range textShapeSeeds {
		f.Add(s)
	}
	f.Fuzz(textShapeDiff)
}
