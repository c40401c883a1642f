package guard

import (
	"regexp"
	"strings"
)

// Go's regexp has no prefilter for most of the guard's patterns: to find a
// match in a window it tries every position. An anchoredRE runs its
// pattern only at the bytes where a match can start (a digit, a capital,
// the first letter of one of its words), anchored there, with the byte
// before as context so that \b and (?m)^ see what they see in the window.
// A window's matches are the same as the pattern's own, leftmost first
// (TestAnchoredSameMatches, FuzzAnchored).
type anchoredRE struct {
	ctx   *regexp.Regexp // ^(?s:.)(P): P at the second byte, the first as context
	head  *regexp.Regexp // ^(P): P at the start of a window
	first [256]bool      // the bytes a match can start with
	bound bool           // P begins with \b, so a start must be on a word boundary
}

// anchor returns the anchored form of re, whose matches start with a byte of
// starts; bound says that re begins with \b.
func anchor(re *regexp.Regexp, starts string, bound bool) *anchoredRE {
	p := re.String()
	a := &anchoredRE{ctx: regexp.MustCompile(`^(?s:.)(` + p + `)`), head: regexp.MustCompile(`^(` + p + `)`), bound: bound}
	for i := 0; i < len(starts); i++ {
		a.first[starts[i]] = true
	}
	return a
}

// bothCases returns the letters of s in lower and upper case.
func bothCases(s string) string { return s + strings.ToUpper(s) }

// Lead bytes of the runes case folding adds to s (U+017F, long s) and to k
// (U+212A, Kelvin sign): case-insensitive patterns whose words start with
// s or k can start with these.
const (
	foldS = "\xc5"
	foldK = "\xe2"
)

// nonASCIILeads holds every byte that starts a multi-byte rune, for
// patterns that start with a class such as \p{Lu}.
var nonASCIILeads = func() string {
	var b []byte
	for c := 0xC0; c <= 0xFF; c++ {
		b = append(b, byte(c))
	}
	return string(b)
}()

// anchors maps each pattern run through scan.in that has an anchored form
// to it.
var anchors = func() map[*regexp.Regexp]*anchoredRE {
	m := map[*regexp.Regexp]*anchoredRE{}
	add := func(re *regexp.Regexp, starts string, bound bool) { m[re] = anchor(re, starts, bound) }
	add(reAddrWordsNumType, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"+nonASCIILeads, false)
	add(reAddrTypeFirst, bothCases("rvcapub"), true)
	add(reUSStateZip, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", true)
	add(reUKPostcode, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", true)
	add(reCAPostcode, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", true)
	add(reAddrUnit, bothCases("asufr")+foldS, true)
	add(reAddrBox, bothCases("pcu"), true)
	add(reAddrMilitary, "UAFD", true)
	add(reAddrCorner, bothCases("t"), true)
	add(reCVV, bothCases("cs")+foldS, true)
	add(reExpiry, bothCases("evg"), true)
	add(reBankAcct, bothCases("bcs")+foldS, true)
	add(rePIN, bothCases("p"), true)
	add(reUsername, bothCases("ulah"), true)
	add(reDriverID, bothCases("dl"), true)
	add(rePlate, bothCases("lnpr"), true)
	add(reNine, digitBytes, true)
	add(reAWSKey, "A", true)
	add(reURL, bothCases("hw"), true)
	add(rePassword, bothCases("p")+"_", false)
	add(reMAC, digitBytes+bothCases("abcdef"), true)
	add(reSWIFT, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", true)
	add(reVIN, "ABCDEFGHJKLMNPRSTUVWXYZ"+digitBytes, true)
	for _, p := range attackPatterns {
		switch p.name {
		case "ignore_instructions":
			add(p.re, bothCases("idfob"), true)
		case "role_override":
			add(p.re, bothCases("yfapr"), true)
		case "jailbreak":
			add(p.re, bothCases("djnwu"), true)
		case "system_prompt":
			add(p.re, bothCases("rpsoltdw")+foldS, true)
		case "new_instructions":
			add(p.re, bothCases("nura"), true)
		case "delimiter_token":
			add(p.re, "<[", false)
		}
	}
	return m
}()

// noAnchors runs every pattern the plain way, for the differential test.
var noAnchors bool

// appendAnchored appends to out the matches of a in s, a window starting at
// base in the text, with their indexes in the text.
func (a *anchoredRE) appendAnchored(out [][]int, s string, base int) [][]int {
	for i := 0; i < len(s); {
		if !a.first[s[i]] || a.bound && !boundary(s, i) {
			i++
			continue
		}
		var m []int
		var off int
		if i == 0 {
			m, off = a.head.FindStringSubmatchIndex(s), 0
		} else {
			m, off = a.ctx.FindStringSubmatchIndex(s[i-1:]), i-1
		}
		if m == nil || m[3] == m[2] {
			i++
			continue
		}
		m = m[2:]
		for k := range m {
			if m[k] >= 0 {
				m[k] += off + base
			}
		}
		out = append(out, m)
		i = m[1] - base
	}
	return out
}
