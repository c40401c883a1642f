package guard

// Hand-written matchers for word patterns whose keywords are common in
// ticket text (HTML's "<", "age" in "page" and "message"), so that their
// expressions ran on most of a thread. As in numshape.go, each finds
// exactly its expression's matches on the same windows
// (TestTextShapesMatchRegexp, FuzzTextShapes).

// foldAt returns the length of the text at s[i] that equals lit (lower-case
// ASCII) case-insensitively as regexp's (?i) means it, which also folds
// U+017F (long s) to s and U+212A (Kelvin sign) to k; or -1.
func foldAt(s string, i int, lit string) int {
	p := i
	for k := 0; k < len(lit); k++ {
		c := lit[k]
		switch {
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
	for _, w := range ageWords2 {
		if n := foldAt(s, i, w); n > 0 {
			p := i + n
			p += spacesAt(s, p)
			if e := ageNumber(s, p); e >= 0 {
				return matched(i, e, -1, -1, p, e, -1, -1)
			}
		}
	}
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
	ageShape      = newShape(digitBytes+"aAiItTwW", matchAge)
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
