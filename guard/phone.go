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
var notPhoneContext = []string{"order", "invoice", "ticket", "ref", "case", "tracking", "account", "serial", "version", "build", "id", "#", "$", "€", "£", "price", "total", "usd", "eur", "gbp", "amount", "sku", "po ", "isbn", "zip", "postcode", "postal"}

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
	for _, m := range sc.inClusters(phoneShape7, 8, 24, 7, 0, nil) {
		s, e := m[0], m[1]
		for e > s && strings.IndexByte(" .-/", text[e-1]) >= 0 {
			e--
		}
		v := text[s:e]
		if n := countDigits(v); n > 15 {
			continue // phoneShape7 left out those with fewer than 7 (trimming removes no digit)
		}
		if s > 0 {
			c := text[s-1]
			if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || strings.IndexByte("./:-#_", c) >= 0 {
				continue // part of an id such as INV-2026-100483
			}
		}
		if e < len(text) {
			c := text[e]
			if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '/' || c == ':' || c == '%' {
				continue
			}
		}
		d := digitsOf(v) // after the tests above, which turn most matches away (a timestamp's date, then ':')
		if rePhoneDate.MatchString(v) || allSame(d) {
			continue
		}
		b := before(text, s, 32)
		ctx := hasAny(b, phoneContext...) || hasAny(after(text, e, 12), phoneAfter...)
		if !ctx && hasAny(b, notPhoneContext...) {
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
		}
		if score > 0 {
			out = append(out, span{s, e, Phone, score})
		}
	}
	return out
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
