package guard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The hand-written matcher for the street address that opens with its house
// number ("221B Baker Street", "12, 3 Long Lane", "500 W 2nd St. 4"). Its
// expression, reAddrNumFirst in street_test.go, has 601 instructions, past
// the limit of Go's backtracker, so regexp ran it on its NFA at some 40,000
// instructions a call: a third of the dense check. matchNumFirst finds
// exactly its matches on every text (TestStreetMatchesRegexp, FuzzStreet).

// numFirstShape is the street matcher; its matches start with a digit.
var numFirstShape = newWordShape(digitBytes, matchNumFirst)

// Street-type words of the expression's two alternatives, in its order,
// by the lower-case form of their first rune (streetKey).
var (
	streetWordsAny   = streetIndex(strings.Split(streetWords, "|"))
	streetWordsLower = streetIndex([]string{"street", "avenue", "road", "boulevard", "drive", "strasse", "straße", "calle", "rue"})
)

// streetIndex groups words by their first rune, keeping their order.
func streetIndex(words []string) map[rune][]string {
	m := map[rune][]string{}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		m[r] = append(m[r], w)
	}
	return m
}

// streetKey returns the first rune of the street words that r can begin
// under case folding: its lower case (the long s is an s).
func streetKey(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		return rune(lowerByte[r])
	case r == 'ſ':
		return 's'
	}
	return unicode.ToLower(r)
}

// matchNumFirst is reAddrNumFirst at s[i]:
//
//	\b\d{1,6}[A-Za-z]?(?:[ ,]{1,2}\d{1,6}[A-Za-z]?)?[ ,]{1,2}
//	(?:(?:[\p{Lu}\d][\p{L}\d.'’-]*[ ]{1,2}){1,4}(?i:streetWords)
//	  |(?:[\p{L}][\p{L}.'’-]*[ ]{1,2}){1,4}(?i:street|avenue|road|boulevard|drive|strasse|straße|calle|rue))
//	\b\.?(?:[ ]{1,2}\d{1,5}[A-Za-z]?\b\.?)?
//
// Every run the expression takes has one extent that can be followed by what
// must come next (a number takes all its digits, a word all its letters,
// a gap all its one or two separators), so the choices left are regexp's:
// the second house number before going without it, the first alternative
// before the second, and in each the most words before the street type.
func matchNumFirst(s string, i int) shapeMatch {
	if !boundary(s, i) {
		return shapeMatch{}
	}
	p := houseNumber(s, i, 6)
	if p < 0 {
		return shapeMatch{}
	}
	q := streetGap(s, p)
	if q < 0 {
		return shapeMatch{}
	}
	if n := houseNumber(s, q, 6); n >= 0 {
		if w := streetGap(s, n); w >= 0 {
			if e := streetAfter(s, w); e >= 0 {
				return matched(i, e)
			}
		}
	}
	if e := streetAfter(s, q); e >= 0 {
		return matched(i, e)
	}
	return shapeMatch{}
}

// houseNumber matches \d{1,max}[A-Za-z]? at s[i] where a byte other than a
// digit must follow, and returns its end, or -1.
func houseNumber(s string, i, max int) int {
	d := digitsAt(s, i, max+1)
	if d < 1 || d > max {
		return -1
	}
	if p := i + d; p < len(s) && isLetterASCII(s[p]) {
		return p + 1
	}
	return i + d
}

// streetGap matches [ ,]{1,2} at s[i] where a byte other than a space or
// comma must follow, and returns where that byte is, or -1.
func streetGap(s string, i int) int {
	n := 0
	for n < 3 && i+n < len(s) && (s[i+n] == ' ' || s[i+n] == ',') {
		n++
	}
	if n == 0 || n == 3 {
		return -1
	}
	return i + n
}

// streetAfter matches the street at s[i], the expression's two
// alternatives with what follows them, and returns its end, or -1.
func streetAfter(s string, i int) int {
	e := streetWordsThenType(s, i, true, streetWordsAny)
	if e < 0 {
		e = streetWordsThenType(s, i, false, streetWordsLower)
	}
	if e < 0 {
		return -1
	}
	if e < len(s) && s[e] == '.' {
		e++
	}
	// (?:[ ]{1,2}\d{1,5}[A-Za-z]?\b\.?)?
	if w := oneOrTwoSpaces(s, e); w >= 0 {
		if n := houseNumber(s, w, 5); n >= 0 && boundary(s, n) {
			if n < len(s) && s[n] == '.' {
				n++
			}
			return n
		}
	}
	return e
}

// streetWordsThenType matches one to four words, each followed by one or
// two spaces, then a street-type word of types followed by \b, at s[i], and
// returns the end of the type word, or -1. With capitals, a word is
// [\p{Lu}\d][\p{L}\d.'’-]*, else [\p{L}][\p{L}.'’-]*. The most words
// before a type word win.
func streetWordsThenType(s string, i int, capitals bool, types map[rune][]string) int {
	var after [4]int // where the type word would be after each word
	n := 0
	for p := i; n < 4; n++ {
		e := streetWordEnd(s, p, capitals)
		if e < 0 {
			break
		}
		if p = oneOrTwoSpaces(s, e); p < 0 {
			break
		}
		after[n] = p
	}
	for k := n - 1; k >= 0; k-- {
		if e := streetType(s, after[k], types); e >= 0 {
			return e
		}
	}
	return -1
}

// streetWordEnd returns the end of the word at s[i], as streetWordsThenType
// describes it, or -1.
func streetWordEnd(s string, i int, capitals bool) int {
	if i >= len(s) {
		return -1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if capitals && !(isDigitRune(r) || isUpperRune(r)) || !capitals && !isLetterRune(r) {
		return -1
	}
	for p := i + n; p < len(s); p += n {
		r, n = utf8.DecodeRuneInString(s[p:])
		if !(isLetterRune(r) || capitals && isDigitRune(r) || r == '.' || r == '\'' || r == '’' || r == '-') {
			return p
		}
	}
	return len(s)
}

// streetType returns the end of the first of types (in their order) that
// s[i:] begins with, case-insensitively, and that \b follows, or -1.
func streetType(s string, i int, types map[rune][]string) int {
	if i >= len(s) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	for _, w := range types[streetKey(r)] {
		if n := foldAt(s, i, w); n > 0 && boundary(s, i+n) {
			return i + n
		}
	}
	return -1
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// isUpperRune is \p{Lu}.
func isUpperRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'A' && r <= 'Z'
	}
	return unicode.Is(unicode.Lu, r)
}

// isLetterRune is \p{L}.
func isLetterRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isLetterASCII(byte(r))
	}
	return unicode.Is(unicode.L, r)
}

// numWordNumShape is the matcher of the address that puts its street name
// between two numbers ("9721 Dalmatinova 43"); its matches start with a
// digit. Its expression, reAddrNumWordNum in street_test.go, ran on every
// window around a number followed by a capital: in log lines that is most
// of them (TestNumWordNumMatchesRegexp, FuzzNumWordNum).
var numWordNumShape = newWordShape(digitBytes, matchNumWordNum)

// matchNumWordNum is reAddrNumWordNum at s[i]:
//
//	\b\d{1,6}[ ]{1,2}\p{Lu}[\p{L}.'’-]+(?:[ ]{1,2}[\p{L}][\p{L}.'’-]*){0,3}[ ]{1,2}\d{1,5}[A-Za-z]?\b\.?
//
// Each part has one extent that what follows it can follow: a number takes
// all its digits (no \b between two), a word all its word runes (a space
// must come next), a gap all its one or two spaces (a letter or digit must
// come next); so regexp's backtracking never finds another match, and the
// words are read greedily until the second number.
func matchNumWordNum(s string, i int) shapeMatch {
	if !isDigit(s[i]) || !boundary(s, i) {
		return shapeMatch{}
	}
	p := i + digitsAt(s, i, 7)
	if p-i > 6 {
		return shapeMatch{}
	}
	for words := 0; ; words++ {
		if p = gap12(s, p); p < 0 {
			return shapeMatch{}
		}
		if isDigit(s[p]) {
			if words == 0 {
				return shapeMatch{}
			}
			break
		}
		if words == 4 {
			return shapeMatch{}
		}
		r, n := utf8.DecodeRuneInString(s[p:])
		if words == 0 && !unicode.Is(unicode.Lu, r) || !unicode.IsLetter(r) {
			return shapeMatch{}
		}
		q := p + n
		for q < len(s) {
			r, n := utf8.DecodeRuneInString(s[q:])
			if !unicode.IsLetter(r) && r != '.' && r != '\'' && r != '’' && r != '-' {
				break
			}
			q += n
		}
		if words == 0 && q == p+n {
			return shapeMatch{}
		}
		p = q
	}
	d := digitsAt(s, p, 6)
	if d > 5 {
		return shapeMatch{}
	}
	e := p + d
	if e < len(s) && isLetterASCII(s[e]) {
		e++
	}
	if !boundary(s, e) {
		return shapeMatch{}
	}
	if e < len(s) && s[e] == '.' {
		e++
	}
	return matched(i, e)
}

// gap12 returns where [ ]{1,2} ends at s[i] when a byte other than a space
// follows it, or -1.
func gap12(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == ' ' {
		n++
	}
	if n == 0 || n > 2 || i+n == len(s) {
		return -1
	}
	return i + n
}
