package guard

import (
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

var rePhoneDate = regexp.MustCompile(`^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2}))$`)

// phoneContext are words that, shortly before a number, make it a phone
// number.
var phoneContext = []string{"phone", "tel", "call", "mobile", "cell", "fax", "desk", "office", "whatsapp", "sms", "text me", "reach me", "contact", "messages to", "answering at", "registered", "dial", "landline", "number:", "ring me", "reach us", "hotline"}

// phoneAfter are words that, right after a number, make it a phone number.
var phoneAfter = []string{"office", "fax", "mobile", "cell", "home", "work", "(m)", "(o)", "(h)", "(w)"}

// notPhoneContext are words that, before a number, make it something else.
// They count only where a word starts: "id" in "provided" or "paid", or
// "ref" in "prefer", said nothing about the number after them.
var notPhoneContext = []string{"order", "invoice", "ticket", "reference", "case", "tracking", "account", "serial", "version", "build", "#", "$", "€", "£", "price", "total", "usd", "eur", "gbp", "amount", "sku", "po ", "isbn", "zip", "postcode", "postal"}

// phoneDetector finds phone numbers: digit groups shaped like a phone
// number, kept when libphonenumber says they are valid in the configured
// region (or, with a + prefix, anywhere) or when a context word says so.
type phoneDetector struct {
	region string
	// tollFree keeps toll-free numbers (800, 0800...), which are business
	// lines, not personal data.
	tollFree bool
}

// phoneShape7 is phoneShape without the matches of fewer than seven
// digits, which detect drops: in log lines most matches are a timestamp's
// two-digit fields.
var phoneShape7 = &shape{first: phoneShape.first, at: matchPhone, minDigits: 7}

func (p *phoneDetector) detect(sc *scan) []span {
	text := sc.text
	var out []span
	for _, m := range sc.inClusters(phoneShape7, 8, 24, 7, 0, sc.mayPhone) {
		s, e, ok := phoneStandsAlone(text, m[0], m[1])
		if !ok {
			continue
		}
		v := text[s:e]
		d := digitsOf(v) // after the tests above, which turn most matches away (a timestamp's date, then ':')
		if rePhoneDate.MatchString(v) || allSame(d) {
			continue
		}
		b := before(text, s, 32)
		ctx := hasAny(b, phoneContext...) || hasAny(after(text, e, 12), phoneAfter...)
		if !ctx && (hasWordAt(b, notPhoneContext...) || hasWholeWord(b, "ref", "refs", "id", "ids")) {
			continue
		}
		intl := strings.HasPrefix(v, "+") || strings.HasPrefix(v, "00")
		grouped := strings.ContainsAny(v, " .-()")
		if !ctx && !grouped && !intl && len(d) < 10 && !noPrefilters {
			continue // scored 0 below whether valid or not: skip libphonenumber
		}
		score := 0.0
		valid, free := p.validIn(sc, v, intl)
		if free && !p.tollFree {
			continue
		}
		switch {
		case valid:
			score = 0.85
			if ctx {
				score = 0.95
			}
			if !grouped && !ctx && !intl && len(d) < 10 {
				score = 0 // a bare number of 7-9 digits: too often an id
			}
		case ctx:
			score = 0.7
		case sc.output && phoneLayout(v):
			score = 0.6 // a model's answer carries no contact data, valid or not
		case sc.output && !grouped && barePhone(d, intl) && !hasWordAt(b, notBarePhoneContext...):
			score = 0.6
		}
		if score > 0 {
			out = append(out, span{s, e, Phone, score})
		}
	}
	return out
}

// phoneStandsAlone trims a match text[s:e] of phoneShape7 of its trailing
// separators and reports whether it can be a phone number by its neighbours
// and digits: at most 15 digits (phoneShape7 left out those with fewer than
// 7, and trimming removes no digit), not inside a word, an id or a time.
func phoneStandsAlone(text string, s, e int) (int, int, bool) {
	for e > s && strings.IndexByte(" .-/", text[e-1]) >= 0 {
		e--
	}
	if countDigits(text[s:e]) > 15 {
		return s, e, false
	}
	if s > 0 && phoneNotAfter[text[s-1]] {
		return s, e, false // part of an id such as INV-2026-100483
	}
	if e < len(text) && phoneNotBefore[text[e]] {
		return s, e, false
	}
	return s, e, true
}

// phoneNotAfter holds the bytes a phone number cannot follow (it would be
// part of a word or an id), phoneNotBefore those it cannot precede.
var phoneNotAfter, phoneNotBefore = func() (a, b [256]bool) {
	for c := 0; c < 256; c++ {
		alnum := isDigit(byte(c)) || byteClass[c] == bLetter
		a[c] = alnum || strings.IndexByte("./:-#_", byte(c)) >= 0
		b[c] = alnum || strings.IndexByte("/:%", byte(c)) >= 0
	}
	return a, b
}()

// mayPhone is the phone detector's window test (see keep): whether the walk
// of phoneShape7 over text[a:b] can find a match that phoneStandsAlone
// keeps. Such a match starts at a digit after a byte that is not a digit
// (a digit run's first byte), or at the ( or + before one (or +( before
// one), and is what matchPhone gives over the window at that place; so
// matchPhone is asked there only, at the places whose byte before
// phoneStandsAlone accepts. A window of log lines, whose numbers are all
// inside a time or after = or :, is left out without walking it: such
// windows were half of the bytes the detector walked on the
// development-set threads.
func (sc *scan) mayPhone(a, b int) bool {
	text, runs := sc.text, sc.runs
	lo, hi := 0, len(runs) // the first run that starts at a or later
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if runs[m][0] >= a {
			hi = m
		} else {
			lo = m + 1
		}
	}
	for k := lo; k < len(runs) && runs[k][0] < b; k++ {
		r := runs[k][0]
		c := byte(0) // the byte before the run; none at the text's start
		if r > 0 {
			c = text[r-1]
		}
		if (r == 0 || !phoneNotAfter[c]) && !isoDateAt(text, r, runs[k][1]) && sc.phoneAt(a, b, r) {
			return true
		}
		if r-1 < a || c != '(' && c != '+' {
			continue
		}
		if (r-1 == 0 || !phoneNotAfter[text[r-2]]) && sc.phoneAt(a, b, r-1) {
			return true
		}
		if c == '(' && r-2 >= a && text[r-2] == '+' && (r-2 == 0 || !phoneNotAfter[text[r-3]]) && sc.phoneAt(a, b, r-2) {
			return true
		}
	}
	return false
}

// isoDateAt reports whether a timestamp's date and T, "2026-03-01T", start
// at text[r], where a run of digits ends at e: phoneAt is false there, so
// mayPhone does not ask it (the year of nearly every log line). The match
// it would find is the date, whose T phoneStandsAlone turns away (neither
// x nor e, it begins no extension); a window ending inside the date gives
// one of fewer than seven digits or one that a digit follows.
func isoDateAt(text string, r, e int) bool {
	return e-r == 4 && e+6 < len(text) && text[e] == '-' && isDigit(text[e+1]) && isDigit(text[e+2]) &&
		text[e+3] == '-' && isDigit(text[e+4]) && isDigit(text[e+5]) && text[e+6] == 'T'
}

// phoneAt reports whether the match of phoneShape7 that the walk over
// text[a:b] would find at p, if any, passes phoneStandsAlone.
func (sc *scan) phoneAt(a, b, p int) bool {
	w := sc.text[a:b]
	m := matchPhone(w, p-a)
	if m.n == 0 || countDigits(w[m.idx[0]:m.idx[1]]) < phoneShape7.minDigits {
		return false
	}
	_, _, ok := phoneStandsAlone(sc.text, a+m.idx[0], a+m.idx[1])
	return ok
}

// validIn is valid with the answers kept in the scan: a thread quotes its
// earlier messages, and libphonenumber's parse is the dearest step of the
// phone detector. The scan forgets them when released.
func (p *phoneDetector) validIn(sc *scan, v string, intl bool) (valid, tollFree bool) {
	k := phoneKey{v, intl}
	if a, ok := sc.phones[k]; ok {
		return a[0], a[1]
	}
	valid, tollFree = p.valid(v, intl)
	if sc.phones == nil {
		sc.phones = map[phoneKey][2]bool{}
	}
	sc.phones[k] = [2]bool{valid, tollFree}
	return valid, tollFree
}

// phoneKey is a phone-shaped value and whether it is in international form.
type phoneKey struct {
	v    string
	intl bool
}

// valid reports whether libphonenumber accepts v as a valid number in the
// configured region or, when it is written in international form, anywhere,
// and whether it is a toll-free number.
func (p *phoneDetector) valid(v string, intl bool) (valid, tollFree bool) {
	region := p.region
	if intl {
		region = "ZZ"
		if strings.HasPrefix(v, "00") {
			v = "+" + v[2:]
		}
	}
	n, err := phonenumbers.Parse(v, region)
	if err != nil {
		return false, false
	}
	if noPrefilters { // the old path, for the differential test
		if !phonenumbers.IsValidNumber(n) {
			return false, false
		}
		return true, phonenumbers.GetNumberType(n) == phonenumbers.TOLL_FREE
	}
	// IsValidNumber is GetNumberType != UNKNOWN (both take the region from
	// the number's own calling code), so one call answers both questions.
	t := phonenumbers.GetNumberType(n)
	return t != phonenumbers.UNKNOWN, t == phonenumbers.TOLL_FREE
}

// phoneLayout reports whether v, a match of phoneShape7 that
// phoneStandsAlone kept, is laid out as a phone number is written, so
// that the output check flags it even when libphonenumber does not accept
// it (555-123-4567, a fictional area code, is still contact data in a
// summary). Its digit groups, after an optional + or 00 and before an
// optional extension, must be one of:
//   - a (area) group in parentheses, then groups joined by - or space:
//     (555) 123-4567;
//   - three to six groups of 2 to 5 digits (the first may be a one-digit
//     trunk or country code such as 1 in 1-555-123-4567), joined by - or
//     space, 7 to 15 digits: 555-123-4567, 555 123 4567, 030 1234 5678;
//   - dotted: 3.3.4 (555.123.4567) or five pairs (06.12.34.56.78), never
//     four groups of at most three digits (an IPv4 address) or a version;
//     not a date (03 12 2026) or a number in thousands (1 234 567);
//   - two groups 3-4 joined by -, the first digit 2-9, the last group not
//     a round hundred: 555-1234, but not a range such as 500-1000.
//
// The shape has already turned away what sits inside a word or an id
// (ORD-5551234567, v2.3.4567, INV-2026-100483), dates, times and amounts.
func phoneLayout(v string) bool {
	if i := strings.IndexAny(v, "xeE"); i >= 0 { // an extension
		v = strings.TrimRight(v[:i], " ")
	}
	intl := false
	switch {
	case strings.HasPrefix(v, "+"):
		v, intl = v[1:], true
	case strings.HasPrefix(v, "00"):
		v, intl = v[2:], true
	}
	paren := false
	var groups []string
	var seps []byte
	for i := 0; i < len(v); {
		if v[i] == '(' {
			j := strings.IndexByte(v[i:], ')')
			if j < 0 {
				return false
			}
			groups = append(groups, v[i+1:i+j])
			paren = true
			i += j + 1
			if i < len(v) && v[i] == ' ' {
				seps = append(seps, ' ')
				i++
			} else {
				seps = append(seps, ')')
			}
			continue
		}
		j := i
		for j < len(v) && isDigit(v[j]) {
			j++
		}
		if j == i {
			return false
		}
		groups = append(groups, v[i:j])
		if j == len(v) {
			break
		}
		seps = append(seps, v[j])
		i = j + 1
		if i < len(v) && v[i] == '-' && v[j] == ' ' { // " - "
			i += 2
		}
	}
	if len(groups) < 2 || len(seps) != len(groups)-1 {
		return false
	}
	dots := 0
	for _, c := range seps {
		switch c {
		case '.':
			dots++
		case '-', ' ', ')':
		default:
			return false // '/' joins dates and fractions
		}
	}
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	if n < 7 || n > 15 {
		return false
	}
	if dots > 0 {
		if dots != len(seps) || paren {
			return false
		}
		switch {
		case len(groups) == 3 && len(groups[0]) == 3 && len(groups[1]) == 3 && len(groups[2]) == 4:
			return true
		case len(groups) == 5:
			for _, g := range groups {
				if len(g) != 2 {
					return false
				}
			}
			return true
		}
		return false
	}
	if paren {
		return true
	}
	if len(groups) == 2 {
		a, b := groups[0], groups[1]
		return !intl && seps[0] == '-' && len(a) == 3 && len(b) == 4 && a[0] >= '2' && !strings.HasSuffix(b, "00")
	}
	if len(groups) > 6 || isDateGroups(groups) || isThousands(groups) {
		return false
	}
	for i, g := range groups {
		if len(g) > 5 || len(g) < 2 && i > 0 {
			return false
		}
	}
	return true
}

// isDateGroups reports whether three digit groups are a date's: d.m.yyyy
// or yyyy.m.d, whatever joins them.
func isDateGroups(g []string) bool {
	short := func(s string) bool { return len(s) <= 2 }
	return len(g) == 3 && (short(g[0]) && short(g[1]) && len(g[2]) == 4 || len(g[0]) == 4 && short(g[1]) && short(g[2]))
}

// isThousands reports whether digit groups are a number written in
// thousands (1 234 567): a first group of 1-3 digits not starting with 0,
// then groups of three.
func isThousands(g []string) bool {
	if len(g[0]) > 3 || g[0][0] == '0' {
		return false
	}
	for _, s := range g[1:] {
		if len(s) != 3 {
			return false
		}
	}
	return true
}

// notBarePhoneContext are words that, before an undashed number, make it a
// reference that barePhone would take for a phone number: booking and
// confirmation numbers, policies, members, claims, parcels and devices.
var notBarePhoneContext = []string{"confirmation", "booking", "reservation", "reference", "policy", "member", "claim", "receipt", "transaction", "imei", "meter", "customer no", "customer number", "acct", "package", "parcel", "shipment", "item", "part", "model", "product", "pnr"}

// barePhone reports whether d, the digits of a number written without
// separators (after + or 00 when intl), has a phone number's digits, so
// that the output check flags it even when libphonenumber does not accept
// it (5555550123, a fictional area code, is still contact data in a
// summary): ten digits with a North American area code and exchange
// (first and fourth digits 2-9), or with a national trunk 0 (0 then 1-9:
// 0726668629); eleven digits as 1 and a North American number, or trunk 0
// and ten more (07700900123); in international form, 8 to 15 digits. Ids
// that start with 00, 1 or a round number (2500000000) are not phones; the
// words before the number have turned away order, ticket and case numbers.
func barePhone(d string, intl bool) bool {
	nanp := func(d string) bool { return len(d) == 10 && d[0] >= '2' && d[3] >= '2' }
	trunk := func(d string) bool { return d[0] == '0' && d[1] != '0' }
	switch {
	case intl:
		d = strings.TrimPrefix(d, "00")
		return len(d) >= 8 && len(d) <= 15
	case len(d) == 10:
		return nanp(d) || trunk(d)
	case len(d) == 11:
		return d[0] == '1' && nanp(d[1:]) || trunk(d)
	}
	return false
}

// hasWholeWord reports whether one of words occurs in s as a whole word:
// where a word starts and ends. "ref" and "id" are ids' words only alone
// ("ref 2125550187", "id: ..."), not as the start of "refund" or "idea".
func hasWholeWord(s string, words ...string) bool {
	for _, w := range words {
		for i := 0; ; i++ {
			j := strings.Index(s[i:], w)
			if j < 0 {
				break
			}
			i += j
			if (i == 0 || !isAlnumASCII(s[i-1])) && (i+len(w) == len(s) || !isAlnumASCII(s[i+len(w)])) {
				return true
			}
		}
	}
	return false
}
