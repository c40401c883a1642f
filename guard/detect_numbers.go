package guard

import (
	"net"
	"strings"
)

// detectIPs finds IPv4 and IPv6 addresses. Dotted quads that follow "v" or
// "version" are version strings, not addresses.
func detectIPs(sc *scan, out []span) []span {
	text := sc.text
	for _, m := range sc.inClusters(ipv4Shape, 4, 4, 0, 4, nil) {
		b := before(text, m[0], 12)
		if strings.HasSuffix(b, "v") || strings.HasSuffix(b, ".") || hasAny(b, "version", "build", "release") {
			continue
		}
		if m[1] < len(text)-1 && text[m[1]] == '.' && text[m[1]+1] >= '0' && text[m[1]+1] <= '9' {
			continue // five or more dotted groups: a version or OID
		}
		out = append(out, span{m[0], m[1], IPAddress, 0.95})
	}
	for _, m := range sc.in(reIPv6, sc.around(ipv6Candidates(sc.lower), windowBefore, windowAfter)) {
		v := text[m[0]:m[1]]
		if strings.Count(v, ":") < 2 || len(v) < 6 {
			continue
		}
		if i := strings.IndexByte(v, '%'); i >= 0 {
			v = v[:i]
		}
		if ip := net.ParseIP(v); ip != nil && ip.To4() == nil {
			out = append(out, span{m[0], m[1], IPAddress, 0.95})
		}
	}
	return out
}

// cardContext are words that, before a number, make it a card number.
var cardContext = []string{"card", "visa", "mastercard", "master card", "amex", "american express", "discover", "maestro", "diners", "jcb", "credit", "debit", "cc#", "cc "}

// notCardContext are words that, before a number, make it something else.
// They count only where a word starts (hasWordAt): "ref" in "prefer",
// "order" in "border" or "case" in "showcase" say nothing about the number.
var notCardContext = []string{"order", "invoice", "tracking", "ticket", "ref", "case", "account", "serial", "imei", "transaction", "confirmation", "po#", "sku"}

// detectCards finds payment card numbers: 12 to 19 digits with consistent
// separators, a known issuer prefix and a valid Luhn check digit.
func detectCards(sc *scan, out []span) []span {
	text := sc.text
	for _, m := range sc.inClusters(cardShape, 4, 4, 12, 0, nil) {
		v := text[m[0]:m[1]]
		d := digitsOf(v)
		if len(d) < 12 || len(d) > 19 || allSame(d) || !luhn(d) {
			continue
		}
		if (d[0] < '2' || d[0] > '6') && !strings.HasPrefix(d, "1800") && !strings.HasPrefix(d, "2131") {
			continue // no issuer starts with 0, 7, 8 or 9; 1800 and 2131 are old JCB ranges
		}
		if m[0] > 0 && (text[m[0]-1] == '+' || text[m[0]-1] == '.' || text[m[0]-1] == ',') {
			continue // an international phone number or part of a decimal
		}
		if strings.Contains(v, " ") && strings.Contains(v, "-") {
			continue
		}
		b := before(text, m[0], 40)
		score := 0.8
		switch {
		case hasAny(b, cardContext...):
			score = 0.99
		case hasWordAt(b, notCardContext...) || strings.HasSuffix(strings.TrimSpace(b), "#"):
			continue
		}
		out = append(out, span{m[0], m[1], CardNumber, score})
	}
	return out
}

// swiftContext are words that must come near a SWIFT/BIC code, since eight
// capital letters are otherwise often a word in capitals.
var swiftContext = kw("swift", "bic", "bank identifier", "sort code", "wire", "bank code")

// detectSWIFT finds SWIFT/BIC codes near their context words, or with digits
// in the location part and a known country code.
func detectSWIFT(sc *scan, out []span) []span {
	text := sc.text
	// with the digit rule anywhere, or the context rule after a keyword (at
	// most 40 bytes before the code, which is 11 bytes long at most)
	matches := append(sc.numWhere(reSWIFT, func(a, b int) bool { return sc.hasRun(a, b, 6, &upperBytes) }), sc.whenNear(reSWIFT, 16, 64, swiftContext)...)
	seen := map[int]bool{}
	for _, m := range matches {
		if seen[m[0]] {
			continue
		}
		seen[m[0]] = true
		v := text[m[0]:m[1]]
		ctx := hasAny(before(text, m[0], 40), swiftContext.words...)
		if !ctx && !(strings.ContainsAny(v[6:], "0123456789") && isCountry(v[4:6]) && !strings.ContainsAny(v[:6], "0123456789")) {
			continue
		}
		score := 0.7
		if ctx {
			score = 0.95
		}
		out = append(out, span{m[0], m[1], SWIFTCode, score})
	}
	return out
}

// detectSSN finds US social security numbers: dashed NNN-NN-NNNN that pass
// the area, group and serial rules, or undashed ones after "SSN" or "social
// security".
func detectSSN(sc *scan, out []span) []span {
	text := sc.text
	for _, m := range sc.inClusters(ssnShape, 4, 4, 9, 0, nil) {
		area, sep1, group, sep2, serial := text[m[2]:m[3]], text[m[4]:m[5]], text[m[6]:m[7]], text[m[8]:m[9]], text[m[10]:m[11]]
		if sep1 != sep2 || !ssnValid(area, group, serial) {
			continue
		}
		ctx := hasAny(before(text, m[0], 40), "ssn", "social security", "social sec", "tax id", "taxpayer")
		if sep1 == "" && !ctx {
			continue
		}
		if sep1 == " " && !ctx {
			continue
		}
		score := 0.85
		if ctx {
			score = 0.99
		}
		out = append(out, span{m[0], m[1], USSSN, score})
	}
	return out
}

var kwAWSSecret = kw("secret", "private key", "credential", "akia", "asia")

// ipv6Candidates returns the runs of hex digits and colons that can be an
// IPv6 address: with "::", or with seven colons. Times ("08:14:00") and
// chat labels are neither.
func ipv6Candidates(lower string) [][2]int {
	var out [][2]int
	for i := strings.IndexByte(lower, ':'); i >= 0 && i < len(lower); {
		s, e := i, i
		for s > 0 && (isHex(lower[s-1]) || lower[s-1] == ':') {
			s--
		}
		for e < len(lower) && (isHex(lower[e]) || lower[e] == ':') {
			e++
		}
		if run := lower[s:e]; strings.Contains(run, "::") || strings.Count(run, ":") >= 7 {
			out = append(out, [2]int{s, e})
		}
		k := strings.IndexByte(lower[e:], ':')
		if k < 0 {
			break
		}
		i = e + k
	}
	return out
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// detectAWSSecrets finds 40-character secret access keys after "secret" or
// next to an access key id.
func detectAWSSecrets(sc *scan, out []span) []span {
	text := sc.text
	for _, m := range sc.whenDigits(reAWSSecret, windowBefore, windowAfter, kwAWSSecret) {
		v := text[m[2]:m[3]]
		if !strings.ContainsAny(v, "0123456789") || !strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyz") || !strings.ContainsAny(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			continue
		}
		b := before(text, m[2], 80)
		if hasAny(b, "secret", "aws_secret", "private key", "credential") || reAWSKey.MatchString(b) {
			out = append(out, span{m[2], m[3], AWSSecretKey, 0.95})
		}
	}
	return out
}

// countries holds the ISO 3166-1 alpha-2 codes, two letters each.
const countries = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW"

// isCountry reports whether c is an ISO country code.
func isCountry(c string) bool {
	for i := 0; i+1 < len(countries); i += 2 {
		if countries[i:i+2] == c {
			return true
		}
	}
	return false
}
