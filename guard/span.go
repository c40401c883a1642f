package guard

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// span is a detected value: its byte range, type and confidence.
type span struct {
	start, end int
	typ        EntityType
	score      float64
}

// priority breaks ties between overlapping spans: specific, checksummed types
// win over generic ones.
func (t EntityType) priority() int {
	switch t {
	case Password, Credential:
		return 10 // a secret stays a secret, even inside a URL or shaped like an email
	case AWSAccessKey, AWSSecretKey, CardNumber, IBAN, USSSN, Email:
		return 9
	case URL, IPAddress, MACAddress, VIN, UKNationalInsurance, USBankRouting:
		return 8
	case PIN, CardCVV, CardExpiry, Username, SWIFTCode, USBankAccount, DriverID, LicensePlate:
		return 7
	case Phone:
		return 6
	case Address:
		return 5 // an address holds street names that look like people's names
	case Name:
		return 4
	}
	return 1
}

// resolve sorts spans by start and, where spans overlap, keeps the better
// one: higher priority first, then longer, then higher score.
func resolve(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	better := func(a, b span) bool {
		if a.typ.priority() != b.typ.priority() {
			return a.typ.priority() > b.typ.priority()
		}
		if a.end-a.start != b.end-b.start {
			return a.end-a.start > b.end-b.start
		}
		return a.score > b.score
	}
	slices.SortStableFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := make([]span, 0, len(spans))
	for _, s := range spans {
		if n := len(out); n > 0 && s.start < out[n-1].end {
			if better(s, out[n-1]) {
				out[n-1] = s
				// the new span may now overlap the one before it
				for n > 1 && out[n-1].start < out[n-2].end {
					if better(out[n-2], out[n-1]) {
						out = out[:n-1]
					} else {
						out[n-2] = out[n-1]
						out = out[:n-1]
					}
					n--
				}
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// before returns the up to n bytes of text before i, lowercased, starting on
// a rune boundary.
func before(text string, i, n int) string {
	j := i - n
	if j < 0 {
		j = 0
	}
	for j < i && !utf8.RuneStart(text[j]) {
		j++
	}
	return strings.ToLower(text[j:i])
}

// after returns the up to n bytes of text after i, lowercased, ending on a
// rune boundary.
func after(text string, i, n int) string {
	j := i + n
	if j > len(text) {
		j = len(text)
	}
	for j > i && j < len(text) && !utf8.RuneStart(text[j]) {
		j--
	}
	return strings.ToLower(text[i:j])
}

// hasAny reports whether s contains any of words.
func hasAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// hasWordAt reports whether one of words occurs in s where a word starts:
// at the start of s or after a byte that is not an ASCII letter or digit. A
// word that starts with a symbol ("#", "$") counts anywhere.
func hasWordAt(s string, words ...string) bool {
	for _, w := range words {
		for i := 0; i+len(w) <= len(s); {
			j := strings.Index(s[i:], w)
			if j < 0 {
				break
			}
			j += i
			if j == 0 || !isAlnumASCII(s[j-1]) || !isAlnumASCII(w[0]) {
				return true
			}
			i = j + 1
		}
	}
	return false
}

// trimSpan shrinks [start,end) past trailing punctuation.
func trimSpan(text string, start, end int) (int, int) {
	for end > start && strings.IndexByte(".,;:!?)]}'\"", text[end-1]) >= 0 {
		end--
	}
	return start, end
}

// wordAligned widens [start,end) to whole words: a span that begins or ends
// between two letters or digits takes in the rest of that word. Detectors
// match on word boundaries; this is the guarantee behind them, so that a
// redaction never splits a word ("login is{USERNAME_1}") and a value glued
// to other characters is still covered whole.
func wordAligned(text string, start, end int) (int, int) {
	for start > 0 && start < len(text) {
		r, _ := utf8.DecodeRuneInString(text[start:])
		p, n := utf8.DecodeLastRuneInString(text[:start])
		if !isWordRune(r) || !isWordRune(p) {
			break
		}
		start -= n
	}
	for end > 0 && end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		p, _ := utf8.DecodeLastRuneInString(text[:end])
		if !isWordRune(r) || !isWordRune(p) {
			break
		}
		end += n
	}
	return start, end
}
