package guard

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// reAddrNumFirst is the expression numFirstShape stands for, its
// specification: number [number] words street-type [number] (capitalised
// words before any street type; lower-case ones only before an unambiguous
// type, so that "4 nights in a row" is no address).
var reAddrNumFirst = regexp.MustCompile(`\b\d{1,6}[A-Za-z]?(?:[ ,]{1,2}\d{1,6}[A-Za-z]?)?[ ,]{1,2}(?:(?:[\p{Lu}\d][\p{L}\d.'’-]*[ ]{1,2}){1,4}(?i:` + streetWords + `)|(?:[\p{L}][\p{L}.'’-]*[ ]{1,2}){1,4}(?i:street|avenue|road|boulevard|drive|strasse|straße|calle|rue))\b\.?(?:[ ]{1,2}\d{1,5}[A-Za-z]?\b\.?)?`)

// reAddrNumWordNum is the expression numWordNumShape stands for: number
// Name [words] number, the European shape "9721 Dalmatinova 43".
var reAddrNumWordNum = regexp.MustCompile(`\b\d{1,6}[ ]{1,2}\p{Lu}[\p{L}.'’-]+(?:[ ]{1,2}[\p{L}][\p{L}.'’-]*){0,3}[ ]{1,2}\d{1,5}[A-Za-z]?\b\.?`)

// streetDiff fails when the street matcher's matches on s differ from its
// expression's.
func streetDiff(t *testing.T, s string) {
	t.Helper()
	want := reAddrNumFirst.FindAllStringSubmatchIndex(s, -1)
	got := allShapes(s, numFirstShape)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("street on %q: %v, want %v", s, got, want)
	}
}

var streetSeeds = []string{
	"221 Baker Street", "221B Baker Street, London", "12, 3 Long Lane", "12 3 Long Lane", "12 34 St", "12  34  Main St.",
	"500 W 2nd St. 4", "500 W 2nd St.  4b", "500 W 2nd St 123456", "500 W 2nd St 12_", "4 nights in a row", "4 Nights In A Row",
	"1234567 Main Street", "x12 Main St", "_12 Main St", "é12 Main St", "12ab Main St", "12 Main   St", "12,, Main St",
	"12 , Main St", "12 A B C D St", "12 A B C D E St", "12 main street", "12 a b c d e street", "12 1234567 Main St",
	"9 Friedhof Straße", "9 Friedhof STRAẞE", "9 Kleine ſtraße", "9 Hoher \u212aatu", "9 Place Allée", "9 Place Alléex",
	"9 Grand ÚT", "9 Grand út", "9 O’Neil Rd", "9 O'Neil-Smith Rd.", "9 St. John's Wood Rd", "9 ÄBC Vägen 3",
	"7 Rose Way\n12 Oak Ave", "7 Rose Wayside", "7 Rose strasse", "7 rose st", "7 Rose Sq., 12a.", "10 Downing Street",
	"4 Privet Drive", "12 12 12 Main St", "1 2 3", "123456 Ring 1", "12\u00a0High Road", "12 \xffx Road", "3 Rue 4",
}

// TestStreetMatchesRegexp compares the street matcher with its expression
// on the guard's test texts, the development set, edge cases, random strings
// over the pieces the pattern is made of, and generated addresses with near
// misses.
func TestStreetMatchesRegexp(t *testing.T) {
	t.Parallel()
	texts := append(diffTexts(t), streetSeeds...)
	for _, s := range texts {
		streetDiff(t, s)
	}
	types := strings.Split(streetWords, "|")
	pieces := []string{"1", "12", "221", "123456", "1234567", "4B", "b", " ", "  ", "   ", ",", ", ", ".", "-", "'", "’", "_", "\n",
		"Baker", "main", "O’Neil", "St.", "W", "2nd", "é", "Ä", "É", "ß", "ẞ", "ſ", "\u212a", "\xff", "Ú", "x", "A", "a"}
	pieces = append(pieces, types...)
	pieces = append(pieces, "STREET", "Street", "Avenue", "ROAD", "Straße", "STRAẞE", "ſtraße", "Rue", "Calle", "Allée", "ÚT", "Vägen")
	r := rand.New(rand.NewPCG(13, 7))
	matched := 0
	check := func(s string) {
		streetDiff(t, s)
		if reAddrNumFirst.MatchString(s) {
			matched++
		}
	}
	for range randomStrings(100_000) {
		var b []byte
		for range r.IntN(16) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		check(string(b))
	}
	// addresses built piece by piece, each piece sometimes a near miss
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	for range randomStrings(50_000) {
		b := pick("", "x", "_", " ", "é", "\n") + pick("1", "12", "221", "123456", "1234567") + pick("", "", "b", "B", "ab", "_")
		if r.IntN(2) == 0 {
			b += pick(" ", ",", ", ", "  ", "   ") + pick("3", "12", "1234567", "x") + pick("", "a")
		}
		b += pick(" ", ",", ", ", "  ", "   ", "")
		for range r.IntN(6) {
			b += pick("Baker", "main", "O’Neil", "W", "2nd", "St.", "Ä", "ébc", "x-y", "9", "12b", "") + pick(" ", " ", "  ", "   ", "")
		}
		b += pick(types...) + pick("", "", ".", "s", " ", "_", "é", "\n")
		b += pick("", "", " 4", "  12a", " 123456", " 12_", ". 5.", "   5")
		check(b)
	}
	if matched < randomStrings(2_000) {
		t.Errorf("only %d random strings hold a street match: the test proves little", matched)
	}
	t.Logf("random strings with a match: %d", matched)
}

// FuzzStreet compares the street matcher with its expression on arbitrary
// text.
func FuzzStreet(f *testing.F) {
	for _, s := range streetSeeds {
		f.Add(s)
	}
	f.Fuzz(streetDiff)
}

// numWordNumDiff fails when numWordNumShape's matches on s differ from its
// expression's.
func numWordNumDiff(t *testing.T, s string) {
	t.Helper()
	want := reAddrNumWordNum.FindAllStringSubmatchIndex(s, -1)
	got := allShapes(s, numWordNumShape)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("numWordNum on %q: %v, want %v", s, got, want)
	}
}

var numWordNumSeeds = []string{
	"9721 Dalmatinova 43", "9721 Dalmatinova 43a", "9721 Dalmatinova 43ab", "9721 Dalmatinova 43_", "9721 Dalmatinova 43.",
	"1234567 Main 4", "123456 Main 4", "12  Main  4", "12   Main 4", "12 Main   4", "12 M 4", "12 Ma 4", "12 main 4",
	"12 Main a b c 4", "12 Main a b c d 4", "12 Main St. 4", "12 O’Neil-Smith 4", "12 Ärzte Gasse 123456", "12 Main 12345",
	"x12 Main 4", "_12 Main 4", "é12 Main 4", "12 Main4", "12 Main .4", "12 \u212aatu 4", "12 ſtraße 4", "12 Main\xff 4",
	"12 Main 4 Oak 5 Elm 6", "12 Main 4\n", "12 Main", "12 Main ", "2024-05-12 10:22:33 INFO 12 Retrying Job 3 of 5",
}

// TestNumWordNumMatchesRegexp compares numWordNumShape with its expression
// on the guard's test texts, the development set, edge cases, random
// strings over the pieces the pattern is made of and generated addresses
// with near misses.
func TestNumWordNumMatchesRegexp(t *testing.T) {
	t.Parallel()
	for _, s := range append(diffTexts(t), numWordNumSeeds...) {
		numWordNumDiff(t, s)
	}
	pieces := []string{"1", "12", "123456", "1234567", "4b", "b", "B", " ", "  ", "   ", ".", "-", "'", "’", "_", "\n", ":",
		"Main", "main", "O’Neil", "St.", "é", "Ä", "É", "ß", "ẞ", "ſ", "\u212a", "\xff", "Ú", "x", "A", "a", "Ab", "\u00a0"}
	r := rand.New(rand.NewPCG(13, 9))
	matched := 0
	for range randomStrings(100_000) {
		var b []byte
		for range r.IntN(14) {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		numWordNumDiff(t, string(b))
		if reAddrNumWordNum.MatchString(string(b)) {
			matched++
		}
	}
	// the pattern's shape built piece by piece, with near misses
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	for range randomStrings(50_000) {
		b := pick("", "x", "_", " ", "é", ":") + pick("1", "12", "123456", "1234567", "") + pick(" ", "  ", "   ", "", "\t")
		for k := range r.IntN(6) {
			if k > 0 {
				b += pick(" ", "  ", "   ", "", ".")
			}
			b += pick("Main", "main", "M", "Ma", "O’Neil", "St.", "Ärzte", "ſtraße", "\u212aatu", "a-b", "É", "é.", "x\xff", "9")
		}
		b += pick(" ", "  ", "   ", "") + pick("4", "43", "12345", "123456", "4b", "4bc", "4_", "") + pick("", ".", " ", "é", "\n", "..")
		numWordNumDiff(t, b)
		if reAddrNumWordNum.MatchString(b) {
			matched++
		}
	}
	if matched < randomStrings(50) {
		t.Errorf("only %d random strings hold a match: the test proves little", matched)
	}
	t.Logf("random strings with a match: %d", matched)
}

// FuzzNumWordNum compares numWordNumShape with its expression on arbitrary
// text.
func FuzzNumWordNum(f *testing.F) {
	for _, s := range numWordNumSeeds {
		f.Add(s)
	}
	f.Fuzz(numWordNumDiff)
}
