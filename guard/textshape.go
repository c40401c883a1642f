package guard

import (
	"unicode"
	"unicode/utf8"
)

// Hand-written matchers for word patterns whose keywords are common in
// ticket text (HTML's "<", "age" in "page" and "message"), so that their
// expressions ran on most of a thread. As in numshape.go, each finds
// exactly its expression's matches on the same windows
// (TestTextShapesMatchRegexp, FuzzTextShapes).

// foldAt returns the length of the text at s[i] that equals lit (in lower
// case) case-insensitively as regexp's (?i) means it, which also folds
// U+017F (long s) to s and U+212A (Kelvin sign) to k, and a non-ASCII
// letter of lit to the others of its Unicode fold orbit (ß to ẞ); or -1.
func foldAt(s string, i int, lit string) int {
	p := i
	for k := 0; k < len(lit); k++ {
		c := lit[k]
		switch {
		case c >= utf8.RuneSelf:
			lr, n := utf8.DecodeRuneInString(lit[k:])
			if p >= len(s) {
				return -1
			}
			r, m := utf8.DecodeRuneInString(s[p:])
			if !foldEq(r, lr) {
				return -1
			}
			p += m
			k += n - 1
		case p < len(s) && (s[p] == c || c >= 'a' && c <= 'z' && s[p] == c-32):
			p++
		case c == 's' && hasPrefixAt(s, p, "\u017f"):
			p += 2
		case c == 'k' && hasPrefixAt(s, p, "\u212a"):
			p += 3
		default:
			return -1
		}
	}
	return p - i
}

// foldEq reports whether r and lit are the same rune under simple case
// folding, as (?i) compares them.
func foldEq(r, lit rune) bool {
	for f := lit; ; {
		if f == r {
			return true
		}
		if f = unicode.SimpleFold(f); f == lit {
			return false
		}
	}
}

// spacesAt returns how many \s bytes start at s[i].
func spacesAt(s string, i int) int {
	k := 0
	for i+k < len(s) && isSpaceRE2(s[i+k]) {
		k++
	}
	return k
}

// ageNumber matches (\d{1,3})\b at s[i] and returns its end, or -1: a
// longer run of digits, or a word character after it, fails every choice.
func ageNumber(s string, i int) int {
	d := digitsAt(s, i, 4)
	if d < 1 || d > 3 || !boundary(s, i+d) {
		return -1
	}
	return i + d
}

// Keywords of reAge's second and third alternatives, in its order.
var (
	ageWords2 = []string{"aged", "age", "age is", "age:", "age of"}
	ageWords3 = []string{"i am", "i'm", "turned", "turning", "turn", "when he was", "when she was", "when i was"}
	ageAfter  = []string{"years", "yrs", "y/o", "yo", "now", "and", ",", "."}
)

// matchAge is reAge at s[i]:
// (?i)\b(?:(\d{1,3})[- ](?:years?|yrs?)[- ]old|(?:aged?|age is|age:|age of)\s*(\d{1,3})\b|(?:i am|i'm|turned|turning|turn|when (?:he|she|i) was)\s+(\d{1,3})\b\s*(?:years|yrs|y/o|yo|now|and|,|\.|$))
// White space runs are taken whole: giving one back leaves a space where
// a digit or word must follow.
func matchAge(s string, i int) shapeMatch {
	if !isWordByte(s[i]) || !boundary(s, i) {
		return shapeMatch{}
	}
	// Each alternative's words start with other letters (digits; a; i, t,
	// w), none that case folding reaches from outside ASCII, so the first
	// byte picks the one alternative that can match.
	switch s[i] | 0x20 {
	case 'a':
		return matchAgeWord(s, i)
	case 'i', 't', 'w':
		return matchAgeAbout(s, i)
	}
	if d := digitsAt(s, i, 4); d >= 1 && d <= 3 && i+d < len(s) && (s[i+d] == '-' || s[i+d] == ' ') {
		for _, w := range [...]string{"years", "year", "yrs", "yr"} {
			p := i + d + 1
			if n := foldAt(s, p, w); n > 0 && p+n < len(s) && (s[p+n] == '-' || s[p+n] == ' ') {
				if o := foldAt(s, p+n+1, "old"); o > 0 {
					return matched(i, p+n+1+o, i, i+d, -1, -1, -1, -1)
				}
			}
		}
	}
	return shapeMatch{}
}

// matchAgeWord is reAge's second alternative at s[i]:
// (?:aged?|age is|age:|age of)\s*(\d{1,3})\b.
func matchAgeWord(s string, i int) shapeMatch {
	for _, w := range ageWords2 {
		if n := foldAt(s, i, w); n > 0 {
			p := i + n
			p += spacesAt(s, p)
			if e := ageNumber(s, p); e >= 0 {
				return matched(i, e, -1, -1, p, e, -1, -1)
			}
		}
	}
	return shapeMatch{}
}

// matchAgeAbout is reAge's third alternative at s[i]:
// (?:i am|i'm|turned|turning|turn|when (?:he|she|i) was)\s+(\d{1,3})\b\s*(?:years|yrs|y/o|yo|now|and|,|\.|$).
func matchAgeAbout(s string, i int) shapeMatch {
	for _, w := range ageWords3 {
		n := foldAt(s, i, w)
		if n <= 0 {
			continue
		}
		p := i + n
		sp := spacesAt(s, p)
		if sp == 0 {
			continue
		}
		p += sp
		e := ageNumber(s, p)
		if e < 0 {
			continue
		}
		q := e + spacesAt(s, e)
		if q == len(s) {
			return matched(i, q, -1, -1, -1, -1, p, e)
		}
		for _, a := range ageAfter {
			if m := foldAt(s, q, a); m > 0 {
				return matched(i, q+m, -1, -1, -1, -1, p, e)
			}
		}
	}
	return shapeMatch{}
}

// The word shapes.
var (
	ageShape      = newWordShape(digitBytes+"aAiItTwW", matchAge)
	delimTagShape = newShape("<", matchDelimTag)
)

// delimTagWords are the words of the delimiter_tag attack pattern, in its
// order.
var delimTagWords = []string{"ticket", "system", "user", "assistant", "instructions", "instruction", "context", "prompt", "human", "ai", "message", "thread", "document", "data"}

// matchDelimTag is the delimiter_tag pattern at s[i]:
// (?i)</?\s*(?:ticket|system|user|assistant|instructions?|context|prompt|human|ai|message|thread|document|data)\s*>
func matchDelimTag(s string, i int) shapeMatch {
	if s[i] != '<' {
		return shapeMatch{}
	}
	p := i + 1
	if p < len(s) && s[p] == '/' {
		p++
	}
	p += spacesAt(s, p)
	for _, w := range delimTagWords {
		if n := foldAt(s, p, w); n > 0 {
			e := p + n
			e += spacesAt(s, e)
			if e < len(s) && s[e] == '>' {
				return matched(i, e+1)
			}
		}
	}
	return shapeMatch{}
}

// addrCues are the cues of reAddrLower, in its order: "address" with each
// of its suffixes, then the verbs.
var addrCues = func() []string {
	var out []string
	for _, suffix := range []string{" is", " was", " to", " on file", ""} {
		out = append(out, "address"+suffix+":", "address"+suffix)
	}
	return append(out, "lives at", "live at", "living at", "located at", "moved to", "shipped to", "ship to",
		"delivered to", "deliver to", "send it to", "sent to", "mailed to", "mail to")
}()

// streetTypes are the street-type words of reAddrLower, in its order.
var streetTypes = []string{"st", "rd", "ave", "av", "blvd", "ln", "dr", "ct", "pl", "way", "hwy", "pkwy", "ter", "cir"}

// oneOrTwoSpaces matches [ ]{1,2} at s[i] where a byte other than a space
// must follow, and returns where that byte is, or -1.
func oneOrTwoSpaces(s string, i int) int {
	n := 0
	for n < 3 && i+n < len(s) && s[i+n] == ' ' {
		n++
	}
	if n == 0 || n == 3 {
		return -1
	}
	return i + n
}

// lowerWordEnd returns the end of [a-z][a-z.'’-]* at s[i], or -1.
func lowerWordEnd(s string, i int) int {
	if i >= len(s) || s[i] < 'a' || s[i] > 'z' {
		return -1
	}
	for i++; i < len(s); {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z' || c == '.' || c == '\'' || c == '-':
			i++
		case hasPrefixAt(s, i, "’"):
			i += len("’")
		default:
			return i
		}
	}
	return i
}

// lowerStreet matches reAddrLower's group at s[i]:
// \d{1,6}[a-z]?(?:[ ]{1,2}[a-z][a-z.'’-]*){1,4}[ ]{1,2}(?:st|rd|ave|av|blvd|ln|dr|ct|pl|way|hwy|pkwy|ter|cir)\b\.?
// and returns its end, or -1. Each word and each gap has one extent that
// can match (a word takes all its letters, since a space must follow), so
// the choice is how many words come before the street type: most first.
func lowerStreet(s string, i int) int {
	d := digitsAt(s, i, 7)
	if d < 1 || d > 6 {
		return -1
	}
	p := i + d
	if p < len(s) && s[p] >= 'a' && s[p] <= 'z' {
		p++
	}
	var ends [4]int // where each word of the chain ends
	n := 0
	for n < 4 {
		w := oneOrTwoSpaces(s, p)
		if w < 0 {
			break
		}
		e := lowerWordEnd(s, w)
		if e < 0 {
			break
		}
		ends[n], p = e, e
		n++
	}
	for k := n - 1; k >= 0; k-- {
		t := oneOrTwoSpaces(s, ends[k])
		if t < 0 {
			continue
		}
		for _, typ := range streetTypes {
			if hasPrefixAt(s, t, typ) && boundary(s, t+len(typ)) {
				e := t + len(typ)
				if e < len(s) && s[e] == '.' {
					e++
				}
				return e
			}
		}
	}
	return -1
}

// matchAddrLower is reAddrLower at s[i]: a cue ("address:", "lives at",
// "ship to"), case-insensitive, one or two spaces, then a lower-case
// street address, the group.
func matchAddrLower(s string, i int) shapeMatch {
	if !isWordByte(s[i]) || !boundary(s, i) {
		return shapeMatch{}
	}
	for _, cue := range addrCues {
		n := foldAt(s, i, cue)
		if n <= 0 {
			continue
		}
		g := oneOrTwoSpaces(s, i+n)
		if g < 0 {
			continue
		}
		if e := lowerStreet(s, g); e >= 0 {
			return matched(i, e, g, e)
		}
	}
	return shapeMatch{}
}

var addrLowerShape = newWordShape("aAlLmMsSdD", matchAddrLower)
